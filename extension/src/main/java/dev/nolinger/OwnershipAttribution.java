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
	private final OwnershipInodes.Owned inodes;
	private final List<TcpSocket> listeners;
	private final OwnershipHistory history;
	private final Ledger ledger;
	private final @Nullable String testId;

	/**
	 * @param listeners this JVM's listeners seen during the test, at this or earlier observations
	 * @param testId the unique ID of the test being judged, for rule 5; null for none
	 */
	OwnershipAttribution(SocketTable table, OwnershipInodes.Owned inodes, List<TcpSocket> listeners, OwnershipHistory history,
			Ledger ledger, @Nullable String testId) {
		this.table = table;
		this.inodes = inodes;
		this.listeners = listeners;
		this.history = history;
		this.ledger = ledger;
		this.testId = testId;
	}

	OwnershipAttribution(SocketTable table, OwnershipInodes.Owned inodes, List<TcpSocket> listeners, OwnershipHistory history) {
		this(table, inodes, listeners, history, Ledger.INSTANCE, null);
	}

	/** This JVM's listening sockets in a table whose inodes are classified. */
	static List<TcpSocket> ownedListeners(SocketTable table, OwnershipInodes.Owned inodes) {
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
		// Before rule 4: a finding's 4-tuple joins the history at its first read, and rule 5 says more.
		if (socket.inode() == 0 && this.testId != null && this.ledger.closedDuring(socket.tuple(), this.testId)) {
			return Optional.of(new Ownership(OwnershipRule.CLOSED_DURING_TEST, null));
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

	/** What the ledger recorded of the socket; null when it has no record of it. */
	@Nullable LedgerSocket traced(TcpSocket socket) {
		return socket.state() == TcpState.LISTEN ? this.ledger.findListener(socket.local())
				: this.ledger.find(socket.tuple());
	}

	/**
	 * The end the ledger recorded: how the socket, or else its other end, came to be. Untraced,
	 * server end when a listener (any process's, or one of ours seen earlier) holds the local
	 * port; client end when one holds the remote port.
	 */
	Finding.Role role(TcpSocket socket) {
		LedgerSocket traced = traced(socket);
		if (traced != null) {
			return traced.role();
		}
		LedgerSocket otherEnd = this.ledger.find(socket.tuple().mirror());
		if (otherEnd != null) {
			return otherEnd.role() == Finding.Role.CLIENT ? Finding.Role.SERVER : Finding.Role.CLIENT;
		}
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
