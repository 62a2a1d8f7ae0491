/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Map;
import java.util.Set;

/** The inodes of the sockets this process holds open. */
interface OwnershipInodeSource {

	Set<Long> socketInodes() throws SocketTableException;

	/**
	 * How many fds this process has open, or -1 where the kernel does not say: what {@link
	 * CheckReuse} compares.
	 */
	default long openFds() {
		return CheckReuse.openFds();
	}

	/**
	 * Each socket inode with the number of an fd that holds it, for calls on the socket itself.
	 *
	 * @throws SocketTableException where fd numbers are not known
	 */
	default Map<Long, Integer> socketFds() throws SocketTableException {
		throw new SocketTableException("this source of socket inodes does not know their fd numbers");
	}
}
