/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Snapshot before, findings after: the JUnit-free core of the check. One instance serves a
 * whole test run, so its inode verdicts and ownership history span tests.
 */
final class LingerCheck {

	private final SocketTableSource source;
	private final InodeOwnership inodes;
	private final OwnershipHistory history = new OwnershipHistory();

	LingerCheck(SocketTableSource source, SocketInodeSource fds) {
		this.source = source;
		this.inodes = new InodeOwnership(fds);
	}

	SocketTableSource source() {
		return this.source;
	}

	Baseline baseline(Set<TcpState> states) throws SocketTableException {
		SocketTable table = this.source.read();
		this.inodes.classify(table);
		recordOwned(table, List.of());
		Set<TcpSocket.Key> before = new HashSet<>();
		for (TcpSocket socket : table.sockets()) {
			if (states.contains(socket.state())) {
				before.add(socket.key());
			}
			// Already closing: the checked state it settles into during the test is not the test's doing.
			for (TcpState settled : Settling.settlesInto(socket.state())) {
				if (states.contains(settled)) {
					before.add(new TcpSocket.Key(socket.tuple(), settled));
				}
			}
		}
		return new Baseline(before, Attribution.ownedListeners(table, this.inodes));
	}

	/**
	 * This JVM's sockets that are in one of {@code states} now and were not in that state with
	 * the same 4-tuple at the baseline. A table with no such socket costs one read and no fd scan.
	 */
	List<Finding> findings(Baseline baseline, Set<TcpState> states) throws SocketTableException {
		return observe(baseline, states).findings();
	}

	/** Findings, and how many of this JVM's sockets are still settling into a checked state. */
	Observation observe(Baseline baseline, Set<TcpState> states) throws SocketTableException {
		SocketTable table = this.source.read();
		List<TcpSocket> candidates = new ArrayList<>();
		List<TcpSocket> settling = new ArrayList<>();
		for (TcpSocket socket : table.sockets()) {
			if (states.contains(socket.state())) {
				if (!baseline.before().contains(socket.key())) {
					candidates.add(socket);
				}
			}
			else if (isSettlingIntoNew(socket, states, baseline)) {
				settling.add(socket);
			}
		}
		if (candidates.isEmpty() && settling.isEmpty()) {
			return Observation.CLEAN;
		}
		this.inodes.classify(table);
		List<TcpSocket> listeners = new ArrayList<>(baseline.listeners());
		listeners.addAll(Attribution.ownedListeners(table, this.inodes));
		Attribution attribution = new Attribution(table, this.inodes, listeners, this.history);
		List<Finding> findings = new ArrayList<>();
		for (TcpSocket candidate : candidates) {
			attribution.of(candidate).ifPresent(
					ownership -> findings.add(new Finding(candidate, ownership, attribution.role(candidate),
							attribution.ownedOtherEnd(candidate))));
		}
		recordOwned(table, findings);
		List<Finding> unsettled = new ArrayList<>();
		for (TcpSocket socket : settling) {
			attribution.of(socket).ifPresent(ownership -> unsettled.add(
					new Finding(socket, ownership, attribution.role(socket), attribution.ownedOtherEnd(socket))));
		}
		return new Observation(findings, unsettled);
	}

	private static boolean isSettlingIntoNew(TcpSocket socket, Set<TcpState> states, Baseline baseline) {
		for (TcpState settled : Settling.settlesInto(socket.state())) {
			if (states.contains(settled) && !baseline.before().contains(new TcpSocket.Key(socket.tuple(), settled))) {
				return true;
			}
		}
		return false;
	}

	private void recordOwned(SocketTable table, List<Finding> findings) {
		this.history.forgetAbsent(table);
		List<SocketTuple> owned = new ArrayList<>();
		for (TcpSocket socket : table.sockets()) {
			if (socket.state() != TcpState.LISTEN && this.inodes.isOwned(socket.inode())) {
				owned.add(socket.tuple());
			}
		}
		for (Finding finding : findings) {
			owned.add(finding.socket().tuple());
		}
		this.history.record(owned);
	}
}
