/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides which sockets of one table observation are this JVM's, by the rules of
 * {@link OwnershipRule}. Sibling Surefire forks share our uid and network namespace, so uid
 * proves nothing; only inodes, mirrors, listeners and history do.
 */
final class Attribution {

	private final SocketTable table;
	private final InodeOwnership inodes;
	private final List<TcpSocket> listeners;
	private final OwnershipHistory history;

	/**
	 * @param listeners this JVM's listeners seen during the test, at this or earlier observations
	 */
	Attribution(SocketTable table, InodeOwnership inodes, List<TcpSocket> listeners, OwnershipHistory history) {
		this.table = table;
		this.inodes = inodes;
		this.listeners = listeners;
		this.history = history;
	}

	/** This JVM's listening sockets in a table whose inodes are classified. */
	static List<TcpSocket> ownedListeners(SocketTable table, InodeOwnership inodes) {
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
		if (socket.inode() == 0) {
			TcpSocket mirror = this.table.find(socket.tuple().mirror());
			if (mirror != null && (this.inodes.isOwned(mirror.inode()) || listenerFor(mirror) != null)) {
				return Optional.of(new Ownership(OwnershipRule.MIRROR, mirror));
			}
			TcpSocket listener = listenerFor(socket);
			if (listener != null) {
				return Optional.of(new Ownership(OwnershipRule.LISTENER, listener));
			}
		}
		if (this.history.wasOwned(socket.tuple())) {
			return Optional.of(new Ownership(OwnershipRule.SEEN_BEFORE, null));
		}
		return Optional.empty();
	}

	/** The other end of the socket's connection, when it is in the table and this JVM's too. */
	TcpSocket ownedOtherEnd(TcpSocket socket) {
		TcpSocket mirror = this.table.find(socket.tuple().mirror());
		return mirror != null && of(mirror).isPresent() ? mirror : null;
	}

	/** Rule 3 applies to orphaned sockets only: inode 0 and not a listener itself. */
	private TcpSocket listenerFor(TcpSocket socket) {
		if (socket.inode() != 0 || socket.state() == TcpState.LISTEN) {
			return null;
		}
		Endpoint local = socket.local();
		for (TcpSocket listener : this.listeners) {
			Endpoint bound = listener.local();
			if (bound.port() == local.port() && (bound.isWildcard() || bound.equals(local))) {
				return listener;
			}
		}
		return null;
	}
}
