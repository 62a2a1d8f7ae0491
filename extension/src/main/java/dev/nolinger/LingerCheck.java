/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.EnumSet;
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

	/**
	 * The states a read must include for the check of {@code checked} states: those, plus every
	 * state attribution looks at. That is all of them except TIME_WAIT: a TIME_WAIT minisocket
	 * has inode 0, so it never proves ownership, and it is the other end only of a LAST_ACK,
	 * CLOSING or TIME_WAIT socket, so it is read only when one of those is checked. Leaving it
	 * out matters, because churn fills tables with TIME_WAIT. Both sources leave out the same.
	 */
	static Set<TcpState> observedStates(Set<TcpState> checked) {
		EnumSet<TcpState> states = EnumSet.allOf(TcpState.class);
		if (!checked.contains(TcpState.LAST_ACK) && !checked.contains(TcpState.CLOSING)
				&& !checked.contains(TcpState.TIME_WAIT)) {
			states.remove(TcpState.TIME_WAIT);
		}
		return states;
	}

	Baseline baseline(Set<TcpState> states) throws SocketTableException {
		SocketTable table = this.source.read(observedStates(states));
		this.inodes.classify(table);
		recordOwned(table, List.of());
		Set<TcpSocket.Key> before = new HashSet<>();
		for (TcpSocket socket : table.sockets()) {
			if (states.contains(socket.state())) {
				before.add(socket.key());
			}
		}
		return new Baseline(before, Attribution.ownedListeners(table, this.inodes));
	}

	/**
	 * This JVM's sockets that are in one of {@code states} now and were not in that state with
	 * the same 4-tuple at the baseline. A table with no such socket costs one read and no fd scan;
	 * where the source filters by state cheaply, that read asks only for the checked states, and
	 * the table attribution needs is read only when there is a candidate.
	 */
	List<Finding> findings(Baseline baseline, Set<TcpState> states) throws SocketTableException {
		Set<TcpState> observed = observedStates(states);
		if (this.source.filtersByStateCheaply() && !states.containsAll(observed)
				&& candidates(this.source.read(states), baseline, states).isEmpty()) {
			return List.of();
		}
		SocketTable table = this.source.read(observed);
		List<TcpSocket> candidates = candidates(table, baseline, states);
		if (candidates.isEmpty()) {
			return List.of();
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
		return findings;
	}

	private static List<TcpSocket> candidates(SocketTable table, Baseline baseline, Set<TcpState> states) {
		List<TcpSocket> candidates = new ArrayList<>();
		for (TcpSocket socket : table.sockets()) {
			if (states.contains(socket.state()) && !baseline.before().contains(socket.key())) {
				candidates.add(socket);
			}
		}
		return candidates;
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
