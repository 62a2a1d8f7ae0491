/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Decides which sockets of one table observation are this JVM's, by the rules of
 * {@link OwnershipRule}. Sibling Surefire forks share our uid and network namespace, so uid
 * proves nothing; only inodes, mirrors, listeners and history do.
 */
final class OwnershipAttribution {

	private final SocketTable table;
	private final OwnershipInodes inodes;
	private final List<TcpSocket> listeners;
	private final OwnershipHistory history;

	/**
	 * @param listeners this JVM's listeners seen during the test, at this or earlier observations
	 */
	OwnershipAttribution(SocketTable table, OwnershipInodes inodes, List<TcpSocket> listeners, OwnershipHistory history) {
		this.table = table;
		this.inodes = inodes;
		this.listeners = listeners;
		this.history = history;
	}

	/** This JVM's listening sockets in a table whose inodes are classified. */
	static List<TcpSocket> ownedListeners(SocketTable table, OwnershipInodes inodes) {
		List<TcpSocket> listeners = new ArrayList<>();
		for (TcpSocket socket : table.sockets()) {
			if (socket.state() == TcpState.LISTEN && inodes.isOwned(socket.inode())) {
				listeners.add(socket);
			}
		}
		return listeners;
	}

	Optional<Ownership> of(TcpSocket socket) {
		if (this.inodes.isOwned(socket.inode())) {
			return Optional.of(new Ownership(OwnershipRule.OPEN_FD, null));
		}
		TcpSocket mirror = OwnershipOrphans.heldMirror(socket, this.table,
				other -> this.inodes.isOwned(other.inode()) || listenerFor(other) != null);
		if (mirror != null) {
			return Optional.of(new Ownership(OwnershipRule.MIRROR, mirror));
		}
		TcpSocket listener = listenerFor(socket);
		if (listener != null) {
			return Optional.of(new Ownership(OwnershipRule.LISTENER, listener));
		}
		if (this.history.wasOwned(socket.tuple())) {
			return Optional.of(new Ownership(OwnershipRule.SEEN_BEFORE, null));
		}
		return Optional.empty();
	}

	/** The other end of the socket's connection, when it is in the table and this JVM's too. */
	@Nullable TcpSocket ownedOtherEnd(TcpSocket socket) {
		TcpSocket mirror = this.table.find(socket.tuple().mirror());
		return mirror != null && of(mirror).isPresent() ? mirror : null;
	}

	/**
	 * Server end when a listener (any process's, or one of ours seen earlier) holds the local
	 * port; client end when one holds the remote port.
	 */
	Finding.Role role(TcpSocket socket) {
		if (listens(socket.local())) {
			return Finding.Role.SERVER;
		}
		return listens(socket.remote()) ? Finding.Role.CLIENT : Finding.Role.UNKNOWN;
	}

	private boolean listens(Endpoint endpoint) {
		return OwnershipOrphans.listenerAt(endpoint, this.listeners, false) != null
				|| OwnershipOrphans.listenerAt(endpoint, this.table.sockets(), false) != null;
	}

	/** Rule 3's listener: one of this JVM's, so held by definition. */
	private @Nullable TcpSocket listenerFor(TcpSocket socket) {
		return OwnershipOrphans.heldListener(socket, this.listeners, listener -> true);
	}
}
