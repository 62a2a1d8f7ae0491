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
 * an exact 4-tuple (the held ones, their mirrors, remembered ones). Java 22+ with native access
 * ({@code SocketTableNetlinkSource}).
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
}
