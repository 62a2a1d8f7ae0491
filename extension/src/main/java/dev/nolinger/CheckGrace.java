/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import java.util.logging.Logger;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The grace wait after a test and the two-reads-in-a-row confirmation: a read of the table is
 * not a snapshot, so one read proves nothing, and a socket the test closed may still be settling.
 */
final class CheckGrace {

	private static final Duration MAX_POLL_INTERVAL = Duration.ofMillis(50);

	private static final Logger LOGGER = Logger.getLogger(NoLingeringSocketsExtension.class.getName());

	/** A grace extended by less than this is not logged. */
	private static final long STALL_LOGGED_NANOS = 100_000_000;

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
			return confirmedFindings(check, snapshot, settings, counted, allowed, what, reads, began);
		}
		finally {
			LAST_WAIT.set(new Waited(began, reads.lastRead, reads.stalls == null ? 0 : reads.stalls.credited()));
		}
	}

	private static List<Finding> confirmedFindings(Check check, CheckSnapshot snapshot, CheckSettings settings,
			ToIntFunction<List<Finding>> counted, int allowed, String what, Reads reads, long began)
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
		// Measured from here: a test whose first read is clean pays nothing for it.
		Stalls stalls = new Stalls(grace, interval, System::nanoTime, Stalls.THREAD_CPU, began);
		reads.stalls = stalls;
		try {
			// A fresh ConditionFactory each time; Awaitility's global defaults stay untouched. Its limit
			// leaves room for the stalls credited back; the condition ends the wait when the grace is used up.
			Awaitility.await("nolinger: sockets of " + what + " to finish closing")
				.atMost(grace.plus(Stalls.maxCredit(grace)))
				.pollDelay(interval)
				.pollInterval(interval)
				.pollInSameThread()
				.until(() -> {
					stalls.polling();
					boolean ends = reads.next(check, snapshot, settings.states(), counted).endsWaitWithin(allowed);
					stalls.read();
					return ends || stalls.graceUsedUp();
				});
		}
		catch (ConditionTimeoutException timedOut) {
			// The findings outlived the grace; judge them below. A stall that outlasted the whole wait ends it
			// without another poll: credited all the same, so the log says how long this JVM did not run.
			stalls.polling();
		}
		if (stalls.credited() >= STALL_LOGGED_NANOS) {
			// Not in the failure message: it varies with the machine's load, and the grace it states was given in full.
			LOGGER.fine(() -> "nolinger: the grace for " + what + " was extended by "
					+ SuiteReportFate.secondsUp(stalls.credited() / 1_000_000) + " s, as this JVM did not run for that long");
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
	 * not run either. So the wait measures its own thread: from one poll to the next it sleeps one
	 * poll interval and reads the table, which takes CPU time and barely ever blocks. Wall time
	 * beyond that interval, the CPU time the thread used and {@link #SLACK_NANOS} is time it was
	 * ready but not running (a run queue, a CPU quota, a safepoint, a stopped process), whether
	 * during the sleep or during a read. That time is added to the grace. Measuring starts with the
	 * wait, after the first read: a test whose first read after it is clean pays nothing for it.
	 *
	 * <p>The waiting thread stands in for the JVM: it is the one thread whose readiness is known.
	 * A closing thread of this JVM shares its fate under a pause or a stopped process; under a
	 * crowded run queue it may have run meanwhile, and then the wait is only longer than needed.
	 * A read that waits for another check's read (parallel runs share one netlink instance) counts
	 * as not running too, for the few milliseconds it waits. The credit is bounded by {@link
	 * #maxCredit}, so the wait stays at most twice the grace (the grace plus 1 s for a grace under a
	 * second, and plus 10 s at the most): a JVM starved longer than that fails the test as it would
	 * have; the extension's logger says at FINE how much longer it waited. Where the JVM cannot tell a thread's
	 * CPU time, only the sleeps are measured. Measuring costs a {@link System#nanoTime()} and a
	 * thread CPU time read (a {@code clock_gettime}, under a microsecond) per poll.
	 */
	static final class Stalls {

		/** Lateness of a poll below this is ordinary timer slack and scheduling latency, not a stall. */
		static final long SLACK_NANOS = 2_000_000;

		/** This thread's CPU time, or -1 where the JVM does not tell it; set up at the first wait that polls. */
		static final LongSupplier THREAD_CPU = threadCpu();

		private final long graceNanos;
		private final long intervalNanos;
		private final long maxCreditNanos;
		private final LongSupplier clock;
		private final LongSupplier cpu;
		private final long began;
		private long lastPoll;
		private long lastPollCpu;
		private long credited;

		/** Starts measuring a grace that begins now. */
		Stalls(Duration grace, Duration interval, LongSupplier clock, LongSupplier cpu) {
			this(grace, interval, clock, cpu, clock.getAsLong());
		}

		/**
		 * Starts measuring now, as the wait begins to poll.
		 *
		 * @param cpu the waiting thread's CPU time in nanoseconds, or -1 where unknown
		 * @param began when the grace began, on {@code clock}: right after the test
		 */
		Stalls(Duration grace, Duration interval, LongSupplier clock, LongSupplier cpu, long began) {
			this.graceNanos = grace.toNanos();
			this.intervalNanos = interval.toNanos();
			this.maxCreditNanos = maxCredit(grace).toNanos();
			this.clock = clock;
			this.cpu = cpu;
			this.began = began;
			this.lastPoll = clock.getAsLong();
			this.lastPollCpu = cpu.getAsLong();
		}

		/** At most this much is credited back: the grace again, at least 1 s and at most 10 s. */
		static Duration maxCredit(Duration grace) {
			Duration credit = grace.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : grace;
			return credit.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : credit;
		}

		/**
		 * A poll begins (or the wait ends): since the last one, the thread slept one interval and
		 * ran; the rest of the time it did not run, and is credited.
		 */
		void polling() {
			credit(this.intervalNanos);
		}

		/**
		 * At the end of a poll's read, before the grace is judged used up: a stop during the read is
		 * credited now, or the wall clock would end the wait for a read the JVM did not run through.
		 */
		void read() {
			credit(0);
		}

		/** Credits the time since the last mark that was neither {@code expectedNanos} of sleep nor CPU time. */
		private void credit(long expectedNanos) {
			long now = this.clock.getAsLong();
			long cpuNow = this.cpu.getAsLong();
			long ran = cpuNow < 0 || this.lastPollCpu < 0 ? 0 : cpuNow - this.lastPollCpu;
			long late = now - this.lastPoll - expectedNanos - ran - SLACK_NANOS;
			if (late > 0) {
				this.credited = Math.min(this.maxCreditNanos, this.credited + late);
			}
			this.lastPoll = now;
			this.lastPollCpu = cpuNow;
		}

		/** Whether the grace, and the stalls credited back, have passed. */
		boolean graceUsedUp() {
			return this.clock.getAsLong() - this.began - this.credited >= this.graceNanos;
		}

		/** How long the JVM did not run, as credited so far. */
		long credited() {
			return this.credited;
		}

		private static LongSupplier threadCpu() {
			try {
				ThreadMXBean threads = ManagementFactory.getThreadMXBean();
				if (threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()) {
					return threads::getCurrentThreadCpuTime;
				}
			}
			catch (LinkageError | RuntimeException e) {
				// a runtime without java.management, or a security manager: measure the sleeps only
			}
			return () -> -1;
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
