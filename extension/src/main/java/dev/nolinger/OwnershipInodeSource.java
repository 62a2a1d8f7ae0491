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

	/**
	 * A {@link CheckQuiet} proof's whole read at a check, where this source makes it in one call
	 * into native code: whether this process holds exactly the socket inodes {@code held}, and each
	 * socket of {@code watched} (inode, one of {@code held}, to the state it was in), read through
	 * an fd that holds it as {@link SocketTableProbe#heldState} reads it, is still in that state.
	 *
	 * <p>The caller passes the same two collections, unchanged, for as long as its proof holds, so
	 * that a source may keep what it made of them.
	 *
	 * @return {@link HeldSockets#NOT_READ} where this source has no such call, or cannot mark that
	 *         many sockets: the caller then lists the fds and reads each watched socket itself
	 * @throws SocketTableException where the listing of {@code /proc/self/fd} fails
	 */
	default HeldSockets unchanged(Set<Long> held, Map<Long, TcpState> watched) throws SocketTableException {
		return HeldSockets.NOT_READ;
	}

	/** What {@link #unchanged} found. */
	enum HeldSockets {

		/** The same socket inodes, each watched socket in its state. */
		UNCHANGED,

		/** An inode more or fewer, or a watched socket in another state or no longer held by the fd that was read. */
		CHANGED,

		/** Not read in one call. */
		NOT_READ
	}
}
