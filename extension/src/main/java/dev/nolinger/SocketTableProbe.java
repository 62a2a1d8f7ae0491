/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Collection;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Reads only the part of the table that can be this JVM's, without walking the kernel's whole
 * TCP hash: each TCP socket fd this JVM holds, asked for its 4-tuple, and every socket looked up by
 * an exact 4-tuple (the held ones, their mirrors, remembered ones). The netlink source
 * ({@code SocketTableNetlinkSource}): Java 22+ with native access, and Java 17 to 21 through the
 * jar's JNI library.
 */
interface SocketTableProbe {

	/**
	 * The sockets that attribution rules 1, 2 and 4 can make this JVM's: every TCP socket among
	 * {@code socketFds} (inode to fd number), the mirror of each, and each of {@code remembered}
	 * still in the table; in the table's own records, as a dump would give them.
	 *
	 * @return null where only the whole table will do: this JVM holds a listener, whose orphans
	 *         (rule 3) have 4-tuples nobody knows
	 * @throws SocketTableException when a native call is refused, or an fd no longer is the socket
	 *         its inode names (closed, or reused, since the fds were listed): read the whole table
	 */
	@Nullable SocketTable ownSockets(Map<Long, Integer> socketFds, Collection<SocketTuple> remembered)
			throws SocketTableException;

	/**
	 * The state of the TCP socket that fd {@code fd} holds, read through the fd
	 * ({@code getsockopt(TCP_INFO)}), then checked to be socket {@code inode}'s: what a watched
	 * socket of a {@link CheckQuiet} proof costs at each check, two system calls.
	 *
	 * @return null where the fd holds another inode now (closed and reused since it was listed)
	 * @throws SocketTableException when a call is refused or fails, the fd closed among them; the check then reads
	 */
	default @Nullable TcpState heldState(int fd, long inode) throws SocketTableException {
		throw new SocketTableException("this probe reads no socket's state through its fd");
	}

	/** Whether {@link #heldState} reads states: only then can a {@link CheckQuiet} proof watch sockets. */
	default boolean readsHeldStates() {
		return false;
	}
}
