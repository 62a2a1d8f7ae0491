/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

/**
 * How a socket that failed its test ended, as later reads of the table saw it: a late close, with
 * the bracket it closed in, or a leak. Times are milliseconds after its test, counted from when
 * the check after the test began, which is also when the grace starts.
 *
 * <p>A close is a <em>late close</em>, which a larger grace would have passed, only when the last
 * read that listed the socket and the first that no longer did both lie within
 * {@link #LATE_CLOSE_BOUND_MILLIS} of its test. A socket that closed later than that was closed by
 * something on a clock of its own, not by the end of the test's teardown: a pool's idle eviction
 * (commonly 30 s to 5 min), a keep-alive or read timeout, a GC and the JDK's cleaner. No grace a
 * suite would wait after every failing test covers those, and the code that holds the socket is
 * what to fix: the report calls them leaks. 10 s is ten times the default grace: a teardown that
 * ends later than that, even on a loaded machine, no longer runs late but waits for something, and
 * a grace that long would be waited after every failing test. It stays below the idle evictions
 * of the common pools (30 s and more), so those never read as late closes.
 *
 * @param kind what ended it, as far as the reads tell
 * @param fromMillis the socket was still listed this long after its test (for {@link
 *     Kind#CLEANER} and {@link Kind#OTHER_END_CLEANER}: when the cleaner closed it)
 * @param byMillis it was no longer listed this long after its test
 * @param closer for {@link Kind#CLOSED_ON_ANOTHER_THREAD}, who closed it or its other end, as the
 *     socket ledger saw the close: {@code by thread "Keep-Alive-Timer" at
 *     sun.net.www.http.HttpClient.closeServer(HttpClient.java:1127)}, or {@code when thread "X" closed
 *     its other end at ...}: the thread and the innermost frame of a library or of the application;
 *     empty when not known. A pool's eviction, a keep-alive cache's timer, a server's worker name
 *     themselves this way
 */
record SuiteReportFate(Kind kind, long fromMillis, long byMillis, String closer) {

	SuiteReportFate(Kind kind, long fromMillis, long byMillis) {
		this(kind, fromMillis, byMillis, "");
	}

	/** Beyond this many milliseconds after its test, a close is no late close but a leak closed by something else. */
	static final long LATE_CLOSE_BOUND_MILLIS = 10_000;

	/** Not watched: the socket did not fail its test, or this JVM did not report how it ended. */
	static final SuiteReportFate NONE = new SuiteReportFate(Kind.NONE, 0, 0);

	/** Still listed by the read at the end of the run. */
	static final SuiteReportFate LINGERING = new SuiteReportFate(Kind.LINGERING, 0, 0);

	/** How a watched socket ended. */
	enum Kind {

		/** Not watched. */
		NONE,

		/** Still lingering when the run ended. */
		LINGERING,

		/** No longer listed: closed between two reads, by a closer the socket ledger did not see (untraced, or another process). */
		CLOSED,

		/** Closed between two reads, by a thread other than its test's (a server's, a client's, a timer's). */
		CLOSED_ON_ANOTHER_THREAD,

		/**
		 * Closed between two reads, later, on its test's own thread: by a later test or a fixture such
		 * as {@code @AfterAll}. No grace passes it: the grace blocks that very thread.
		 */
		CLOSED_ON_TEST_THREAD,

		/** The JDK's cleaner closed it: its socket was garbage-collected without close(). */
		CLEANER,

		/** The JDK's cleaner closed its other end, this JVM's, garbage-collected without close(). */
		OTHER_END_CLEANER,

		/** A FIN_WAIT2 the kernel dropped after {@code tcp_fin_timeout} while its other end stayed in CLOSE_WAIT. */
		EXPIRED_BESIDE_CLOSE_WAIT
	}

	static SuiteReportFate closed(long fromMillis, long byMillis) {
		return new SuiteReportFate(Kind.CLOSED, fromMillis, byMillis);
	}

	/** Whether it closed between two reads, by a closer a longer grace would have let run, as far as known. */
	private boolean closedByAnother() {
		return this.kind == Kind.CLOSED || this.kind == Kind.CLOSED_ON_ANOTHER_THREAD;
	}

	/** Whether it closed late, within {@link #LATE_CLOSE_BOUND_MILLIS} of its test: a larger grace would have seen it gone. */
	boolean lateClose() {
		return closedByAnother() && this.byMillis <= LATE_CLOSE_BOUND_MILLIS;
	}

	/** Whether it closed late and the socket ledger did not see who closed it: a later test or fixture may have. */
	boolean closerUnknown() {
		return this.kind == Kind.CLOSED;
	}

	/** Whether it closed, but surely more than {@link #LATE_CLOSE_BOUND_MILLIS} after its test: a leak something else closed. */
	boolean closedBeyondBound() {
		return closedByAnother() && this.fromMillis > LATE_CLOSE_BOUND_MILLIS;
	}

	/**
	 * Whether it closed, but no read between the bound's two sides tells whether within
	 * {@link #LATE_CLOSE_BOUND_MILLIS} of its test or later: neither a late close nor a leak.
	 */
	boolean undecided() {
		return closedByAnother() && !lateClose() && !closedBeyondBound();
	}

	/** Whether it was a leak, which no grace would have passed. */
	boolean leak() {
		return switch (this.kind) {
			case LINGERING, CLEANER, OTHER_END_CLEANER, EXPIRED_BESIDE_CLOSE_WAIT, CLOSED_ON_TEST_THREAD -> true;
			case CLOSED, CLOSED_ON_ANOTHER_THREAD -> closedBeyondBound();
			case NONE -> false;
		};
	}

	/** How the report says it, after the socket's row; empty when not watched. */
	String text() {
		return switch (this.kind) {
			case NONE -> "";
			case LINGERING -> Messages.stillLingeringAtTheEnd();
			case CLEANER -> "a leak: closed by the JDK's cleaner " + seconds(this.fromMillis)
					+ " s after its test, as its socket was garbage-collected without close()";
			case OTHER_END_CLEANER -> "half of a leak: ended " + seconds(this.fromMillis) + " s after its test, when the"
					+ " JDK's cleaner closed its other end, garbage-collected without close()";
			case EXPIRED_BESIDE_CLOSE_WAIT -> Messages.expiredBesideCloseWait();
			case CLOSED_ON_TEST_THREAD -> "a leak: closed " + between() + " after its test, on its test's own thread, by"
					+ " a later test or a fixture such as @AfterAll; no grace passes it";
			case CLOSED, CLOSED_ON_ANOTHER_THREAD -> lateClose() ? "closed late, " + between() + " after its test" + by()
					: closedBeyondBound() ? "a leak: closed " + between() + " after its test" + by() + ", more than "
							+ LATE_CLOSE_BOUND_MILLIS / 1000 + " s after it, so not by the test's teardown (a pool's idle"
							+ " eviction or a timeout?)"
							: "closed " + between() + " after its test" + by() + ": no read of the table in between tells a"
									+ " late close from a leak";
		};
	}

	/** {@code , by thread "server-worker" at ...}: who closed it or its other end, where the ledger saw that; else nothing. */
	private String by() {
		return this.closer.isEmpty() ? "" : ", " + this.closer;
	}

	/** {@code between 1.4 s and 1.6 s}: the bracket widened to tenths of a second, so it stays true. */
	String between() {
		return "between " + seconds(this.fromMillis) + " s and " + secondsUp(this.byMillis) + " s";
	}

	/**
	 * The smallest grace that a test needed for this socket: its close's upper bound, rounded up to
	 * a tenth of a second (a read at that time would have seen it gone).
	 */
	long graceMillis() {
		return (this.byMillis + 99) / 100 * 100;
	}

	/** Seconds with one decimal, rounded down: {@code 1.4} for 1,490 ms. */
	static String seconds(long millis) {
		long tenths = millis / 100;
		return tenths / 10 + "." + tenths % 10;
	}

	/** Seconds with one decimal, rounded up: {@code 1.5} for 1,410 ms. */
	static String secondsUp(long millis) {
		return seconds((millis + 99) / 100 * 100);
	}

	/** One field of a report part: {@code CLOSED 1400 1600}. */
	String encode() {
		return this.kind + " " + this.fromMillis + " " + this.byMillis + (this.closer.isEmpty() ? "" : " " + this.closer);
	}

	/**
	 * Reads what {@link #encode()} wrote.
	 *
	 * @throws IllegalArgumentException when it is not that
	 */
	static SuiteReportFate decode(String text) {
		String[] parts = text.split(" ", 4);
		if (parts.length < 3) {
			throw new IllegalArgumentException("not a fate: " + text);
		}
		return new SuiteReportFate(Kind.valueOf(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]),
				parts.length == 4 ? parts[3] : "");
	}
}
