/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * The process a socket belongs to, for the diagnostic command, by the extension's rules applied
 * to every process instead of this JVM: an open fd (rule 1); for an orphan with inode 0, the
 * process holding its mirror (rule 2), else the process holding the listener on its local
 * address (rule 3), both decided by {@link OwnershipOrphans} as the check decides them.
 *
 * @param kind how the owner was found, or why it was not
 * @param pids the processes named, ascending; empty for the unknown kinds
 * @param evidence the mirror or listener an orphan was attributed through; else null
 */
record CommandSocketOwner(Kind kind, List<Long> pids, @Nullable TcpSocket evidence) {

	enum Kind {

		/** A process holds the socket's inode open. */
		PROCESS,

		/** An orphan whose other end a process holds open: that process has not closed. */
		ORPHAN_PEER,

		/** An orphan on a port where a process listens: a socket that process accepted and closed. */
		ORPHAN_LISTENER,

		/** An orphan with no mirror or listener held by a visible process. */
		ORPHAN,

		/** No readable process holds the inode, and some processes could not be read. */
		PERMISSION_DENIED,

		/** No visible process holds the inode: it exited, or runs in another pid namespace. */
		NOT_FOUND
	}

	/** The inodes whose holders {@link #of} will ask for. */
	static Set<Long> inodesToScan(Collection<TcpSocket> sockets, SocketTable table) {
		Set<Long> inodes = new HashSet<>();
		for (TcpSocket socket : sockets) {
			if (socket.inode() != 0) {
				inodes.add(socket.inode());
				continue;
			}
			TcpSocket mirror = OwnershipOrphans.heldMirror(socket, table, other -> other.inode() != 0);
			if (mirror != null) {
				inodes.add(mirror.inode());
			}
			TcpSocket listener = OwnershipOrphans.heldListener(socket, table.sockets(), any -> true);
			if (listener != null) {
				inodes.add(listener.inode());
			}
		}
		return inodes;
	}

	static CommandSocketOwner of(TcpSocket socket, SocketTable table, CommandProcesses processes) {
		if (socket.inode() != 0) {
			List<Long> holders = processes.holders(socket.inode());
			if (!holders.isEmpty()) {
				return new CommandSocketOwner(Kind.PROCESS, holders, null);
			}
			return new CommandSocketOwner(processes.unreadableProcesses() > 0 ? Kind.PERMISSION_DENIED : Kind.NOT_FOUND,
					List.of(), null);
		}
		Predicate<TcpSocket> held = evidence -> !processes.holders(evidence.inode()).isEmpty();
		TcpSocket mirror = OwnershipOrphans.heldMirror(socket, table, held);
		if (mirror != null) {
			return new CommandSocketOwner(Kind.ORPHAN_PEER, processes.holders(mirror.inode()), mirror);
		}
		TcpSocket listener = OwnershipOrphans.heldListener(socket, table.sockets(), held);
		if (listener != null) {
			return new CommandSocketOwner(Kind.ORPHAN_LISTENER, processes.holders(listener.inode()), listener);
		}
		return new CommandSocketOwner(Kind.ORPHAN, List.of(), null);
	}

	/** Whether the row names the process: as holder, as an orphan's peer, or as its listener. */
	boolean names(long pid) {
		return this.pids.contains(pid);
	}
}
