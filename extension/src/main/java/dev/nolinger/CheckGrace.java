/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
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
		long began = System.nanoTime();
		Reads reads = new Reads();
		try {
			return confirmedFindings(check, snapshot, settings, counted, allowed, what, reads,
					new Stalls(settings.grace(), pollInterval(settings.grace()), System::nanoTime));
		}
		finally {
			LAST_WAIT.set(new Waited(began, reads.lastRead, reads.stalls == null ? 0 : reads.stalls.credited()));
		}
	}

	private static List<Finding> confirmedFindings(Check check, CheckSnapshot snapshot, CheckSettings settings,
			ToIntFunction<List<Finding>> counted, int allowed, String what, Reads reads, Stalls stalls)
			throws SocketTableException {
		CheckObservation first = reads.first(check, snapshot, settings.states());
		if (counted.applyAsInt(first.findings()) <= allowed && first.unsettled() == 0) {
			if (first.findings().isEmpty()) {
				return first.findings();
			}
			// Within what is allowed, but reported all the same: confirmed by a second read like any
			// finding, so a check run counts the same sockets as the baseline-writing run it follows.
			reads.add(reads.read(check, snapshot, settings.states()));
			return reads.confirmed();
		}
		Duration grace = settings.grace();
		if (grace.isZero()) {
			reads.add(reads.read(check, snapshot, settings.states()));
			return reads.confirmed();
		}
		Duration interval = pollInterval(grace);
		reads.stalls = stalls;
		stalls.evaluated();
		try {
			// A fresh ConditionFactory each time; Awaitility's global defaults stay untouched. Its limit
			// leaves room for the stalls credited back; the condition ends the wait when the grace is used up.
			Awaitility.await("nolinger: sockets of " + what + " to finish closing")
				.atMost(grace.plus(Stalls.maxCredit(grace)))
				.pollDelay(interval)
				.pollInterval(interval)
				.pollInSameThread()
				.until(() -> {
					stalls.evaluating();
					boolean ends = reads.next(check, snapshot, settings.states(), counted).endsWaitWithin(allowed);
					stalls.evaluated();
					return ends || stalls.graceUsedUp();
				});
		}
		catch (ConditionTimeoutException timedOut) {
			// the findings outlived the grace; judge them below
		}
		if (reads.failure != null) {
			throw reads.failure;
		}
		return reads.confirmed();
	}

	private static Duration pollInterval(Duration grace) {
		Duration interval = grace.dividedBy(4).compareTo(MAX_POLL_INTERVAL) < 0 ? grace.dividedBy(4) : MAX_POLL_INTERVAL;
		return interval.isZero() ? Duration.ofNanos(1) : interval;
	}

	/**
	 * What the last wait on a thread saw, for the failure it may lead to on the same thread.
	 *
	 * @param began when the wait began, right after the test: the grace counts from here
	 * @param lastRead when the last read of the wait began: a finding it confirmed was still there then
	 * @param stalledNanos how long this JVM did not run during the wait, credited back to the grace
	 */
	record Waited(long began, long lastRead, long stalledNanos) {
	}

	private static final ThreadLocal<@Nullable Waited> LAST_WAIT = new ThreadLocal<>();

	/** The last wait on this thread; null when none ran on it. */
	static @Nullable Waited lastWait() {
		return LAST_WAIT.get();
	}

	/**
	 * The time this JVM's threads did not run during the grace, credited back to it. The grace is
	 * wall-clock time; on a loaded machine a descheduled JVM, or one stopped for a garbage
	 * collection, gets less of it than it was given: the thread that was to close the socket did
	 * not run either. So the wait measures how late its own polls wake: between two reads it
	 * sleeps one poll interval, and any time beyond that interval and {@link #SLACK_NANOS} is time
	 * this JVM's waiting thread was ready but not running (a run queue, a CPU quota, a safepoint,
	 * a stopped process). That time is added to the grace.
	 *
	 * <p>The waiting thread stands in for the JVM: it is the one thread whose readiness is known.
	 * A closing thread of this JVM shares its fate under a pause or a stopped process; under a
	 * crowded run queue it may have run meanwhile, and then the wait is only longer than needed.
	 * Time lost inside a read is not measured (a read takes a millisecond of a 50 ms poll). The
	 * credit is bounded by {@link #maxCredit}, so the wait stays at most twice the grace (at most
	 * the grace plus 1 s for a grace under a second, and plus 10 s at the most): a JVM starved
	 * for longer than that fails the test as it would have, and the message says how long it
	 * waited. Measuring costs one {@link System#nanoTime()} per poll.
	 */
	static final class Stalls {

		/** Lateness of a wake-up below this is ordinary timer slack and scheduling latency, not a stall. */
		static final long SLACK_NANOS = 2_000_000;

		private final long graceNanos;
		private final long intervalNanos;
		private final long maxCreditNanos;
		private final LongSupplier clock;
		private final long began;
		private long lastEvaluated;
		private long credited;

		Stalls(Duration grace, Duration interval, LongSupplier clock) {
			this.graceNanos = grace.toNanos();
			this.intervalNanos = interval.toNanos();
			this.maxCreditNanos = maxCredit(grace).toNanos();
			this.clock = clock;
			this.began = clock.getAsLong();
		}

		/** At most this much is credited back: the grace again, at least 1 s and at most 10 s. */
		static Duration maxCredit(Duration grace) {
			Duration credit = grace.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : grace;
			return credit.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : credit;
		}

		/** A poll begins: how late it woke after the last one ended is credited. */
		void evaluating() {
			long now = this.clock.getAsLong();
			long late = now - this.lastEvaluated - this.intervalNanos - SLACK_NANOS;
			if (late > 0) {
				this.credited = Math.min(this.maxCreditNanos, this.credited + late);
			}
		}

		/** A read ended; the wait sleeps one interval before the next. */
		void evaluated() {
			this.lastEvaluated = this.clock.getAsLong();
		}

		/** Whether the grace, and the stalls credited back, have passed. */
		boolean graceUsedUp() {
			return this.clock.getAsLong() - this.began - this.credited >= this.graceNanos;
		}

		/** How long the JVM did not run, as credited so far. */
		long credited() {
			return this.credited;
		}
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
		private List<Finding> current = List.of();
		private boolean settled;
		private @Nullable SocketTableException failure;
		/** When the last read began. */
		long lastRead;
		@Nullable Stalls stalls;

		CheckObservation first(Check check, CheckSnapshot snapshot, Set<TcpState> states) throws SocketTableException {
			CheckObservation first = read(check, snapshot, states);
			this.current = judged(first);
			return first;
		}

		CheckObservation read(Check check, CheckSnapshot snapshot, Set<TcpState> states) throws SocketTableException {
			this.lastRead = System.nanoTime();
			return check.observe(snapshot, states);
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
				add(read(check, snapshot, states));
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
