/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The grace wait after a test and the two-reads-in-a-row confirmation: a read of the table is
 * not a snapshot, so one read proves nothing, and a socket the test closed may still be settling.
 */
final class CheckGrace {

	private static final Duration MAX_POLL_INTERVAL = Duration.ofMillis(50);

	private CheckGrace() {
	}

	/**
	 * The confirmed findings after the test: none when the first read is clean, else what the last
	 * two reads agree on: the first two when the findings are within what is allowed, else the last
	 * two once the grace ends. The wait ends early once {@code counted} findings
	 * are down to {@code allowed} and no socket of this JVM is still settling into a checked state.
	 *
	 * @param what names the wait in Awaitility's messages, such as the test's unique ID
	 */
	static List<Finding> confirmedFindings(Check check, CheckSnapshot snapshot, CheckSettings settings,
			ToIntFunction<List<Finding>> counted, int allowed, String what) throws SocketTableException {
		CheckObservation first = check.observe(snapshot, settings.states());
		Reads reads = new Reads(first);
		if (counted.applyAsInt(first.findings()) <= allowed && first.unsettled() == 0) {
			if (first.findings().isEmpty()) {
				return first.findings();
			}
			// Within what is allowed, but reported all the same: confirmed by a second read like any
			// finding, so a check run counts the same sockets as the baseline-writing run it follows.
			reads.add(check.observe(snapshot, settings.states()));
			return reads.confirmed();
		}
		Duration grace = settings.grace();
		if (grace.isZero()) {
			reads.add(check.observe(snapshot, settings.states()));
			return reads.confirmed();
		}
		Duration interval = grace.dividedBy(4).compareTo(MAX_POLL_INTERVAL) < 0 ? grace.dividedBy(4) : MAX_POLL_INTERVAL;
		if (interval.isZero()) {
			interval = Duration.ofNanos(1);
		}
		try {
			// A fresh ConditionFactory each time; Awaitility's global defaults stay untouched.
			Awaitility.await("nolinger: sockets of " + what + " to finish closing")
				.atMost(grace)
				.pollDelay(interval)
				.pollInterval(interval)
				.pollInSameThread()
				.until(() -> reads.next(check, snapshot, settings.states(), counted).endsWaitWithin(allowed));
		}
		catch (ConditionTimeoutException timedOut) {
			// the findings outlived the grace; judge them below
		}
		if (reads.failure != null) {
			throw reads.failure;
		}
		return reads.confirmed();
	}

	/** What one more read during the grace showed. */
	sealed interface Read {

		/** Whether the wait can stop: the sockets settled within what is allowed, or the read failed. */
		boolean endsWaitWithin(int allowed);

		/** Every socket of this JVM has settled; {@code count} findings count against the test. */
		record Settled(int count) implements Read {

			@Override
			public boolean endsWaitWithin(int allowed) {
				return this.count <= allowed;
			}
		}

		/** A socket of this JVM is still on its way into a checked state: keep waiting. */
		record StillSettling() implements Read {

			@Override
			public boolean endsWaitWithin(int allowed) {
				return false;
			}
		}

		/** The read failed: stop waiting, and report the failure after the wait. */
		record Failed(SocketTableException cause) implements Read {

			@Override
			public boolean endsWaitWithin(int allowed) {
				return true;
			}
		}
	}

	/** The last two reads of findings. */
	private static final class Reads {

		private List<Finding> previous = List.of();
		private List<Finding> current;
		private boolean settled;
		private @Nullable SocketTableException failure;

		Reads(CheckObservation first) {
			this.current = judged(first);
		}

		/** Sockets still settling count as lingering if the grace runs out before they settle. */
		private List<Finding> judged(CheckObservation observation) {
			this.settled = observation.settling().isEmpty();
			if (this.settled) {
				return observation.findings();
			}
			List<Finding> all = new ArrayList<>(observation.findings());
			all.addAll(observation.settling());
			return all;
		}

		void add(CheckObservation next) {
			this.previous = this.current;
			this.current = judged(next);
		}

		Read next(Check check, CheckSnapshot snapshot, Set<TcpState> states, ToIntFunction<List<Finding>> counted) {
			try {
				add(check.observe(snapshot, states));
				return this.settled ? new Read.Settled(counted.applyAsInt(this.current)) : new Read.StillSettling();
			}
			catch (SocketTableException e) {
				this.failure = e;
				return new Read.Failed(e);
			}
		}

		List<Finding> confirmed() {
			Set<TcpSocket.Key> seen = new HashSet<>();
			for (Finding finding : this.previous) {
				seen.add(finding.socket().key());
				// Seen on its way into the state (FIN_WAIT1, then FIN_WAIT2) is seen twice all the same;
				// else a grace that ends right after it settles would drop it.
				for (TcpState settled : CheckSettling.settlesInto(finding.socket().state())) {
					seen.add(new TcpSocket.Key(finding.socket().tuple(), settled));
				}
			}
			return this.current.stream().filter(f -> seen.contains(f.socket().key())).toList();
		}
	}
}
