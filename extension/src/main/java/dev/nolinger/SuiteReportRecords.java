/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * What each checked test left, handed from the extension to {@link SuiteReportListener}. The
 * two meet only in this JVM-wide map, keyed by the test's unique ID: the launcher's listeners
 * cannot see an extension's store.
 */
final class SuiteReportRecords {

	/** One checked test. */
	record TestRecord(String name, int tolerance, boolean failed, List<Finding> findings, int inBaseline) {
	}

	private static final Map<String, TestRecord> RECORDS = new ConcurrentHashMap<>();

	private SuiteReportRecords() {
	}

	static void record(String uniqueId, TestRecord record) {
		RECORDS.put(uniqueId, record);
	}

	static @Nullable TestRecord take(String uniqueId) {
		return RECORDS.remove(uniqueId);
	}

	private static final Map<String, List<SuiteReportGithub.Annotation>> ANNOTATIONS = new ConcurrentHashMap<>();

	/** Where the code to fix each socket that failed a test (or class) is, for CI to show. */
	static void annotate(String uniqueId, List<SuiteReportGithub.Annotation> annotations) {
		if (!annotations.isEmpty()) {
			ANNOTATIONS.put(uniqueId, annotations);
		}
	}

	/** The test's annotations, none when it did not fail; forgets them. */
	static List<SuiteReportGithub.Annotation> takeAnnotations(String uniqueId) {
		List<SuiteReportGithub.Annotation> annotations = ANNOTATIONS.remove(uniqueId);
		return annotations == null ? List.of() : annotations;
	}

	private static final Map<String, NotJudged.Pending> NOT_JUDGED = new ConcurrentHashMap<>();

	/** A test (or class) whose findings were not judged: others ran concurrently. */
	static void notJudged(String uniqueId, NotJudged.Pending notJudged) {
		NOT_JUDGED.put(uniqueId, notJudged);
	}

	/** The test's sockets that were not judged, null for none; forgets them. */
	static NotJudged.@Nullable Pending takeNotJudged(String uniqueId) {
		return NOT_JUDGED.remove(uniqueId);
	}

	/**
	 * A socket that failed a test, watched until the run ends to tell a leak from a late close,
	 * and to say when it closed. No read of the table is added for it: every read a later check
	 * makes anyway is passed to {@link #observe}, and the session's end reads the whole table once
	 * more. Where a check reads only this JVM's sockets (the exact lookups of {@link
	 * SocketTableProbe}), the watched 4-tuples are among those it looks up ({@link #watchedTuples}),
	 * which costs nothing more in the common case, as its ownership history holds them already.
	 */
	private static final class Watch {

		final TcpSocket.Key key;
		/** When the check after its test began, which is when the grace began: fates count from here. */
		final long testEnded;
		/** The start of the latest read that listed it: it closed after this. */
		long lastSeen;
		/** The end of the first read, after {@link #lastSeen}, that did not list it; 0 while it is listed. */
		long goneBy;
		/** When the JDK's cleaner closed it, or its other end; 0 when it did not. */
		long cleanedAt;
		boolean otherEndCleaned;
		/** A FIN_WAIT2 gone while its other end was still in CLOSE_WAIT: the kernel expired the orphan. */
		boolean expiredBesideCloseWait;
		/** The thread that ran its test, and that its check blocked for the grace. */
		final WeakReference<Thread> testThread;
		/** Who closed it, or its other end, as the socket ledger saw it. */
		Closer closer = Closer.UNKNOWN;
		/** For {@link Closer#OTHER_THREAD}: that thread and where in the code, as {@link SuiteReportFate#closer()} says. */
		String closedBy = "";

		Watch(TcpSocket.Key key, long testEnded, long lastSeen, Thread testThread) {
			this.key = key;
			this.testEnded = testEnded;
			this.lastSeen = lastSeen;
			this.testThread = new WeakReference<>(testThread);
		}

		/** Whether the last read that looked for it still listed it, and no cleaner closed it; under its lock. */
		boolean listed() {
			return this.goneBy == 0 && this.cleanedAt == 0;
		}

		/** Whether it is the socket {@code tuple} or that socket's other end, {@code mirror}. */
		boolean concerns(SocketTuple tuple, SocketTuple mirror) {
			SocketTuple watched = this.key.tuple();
			return watched.equals(tuple) || watched.equals(mirror);
		}
	}

	/** Who closed a watched socket, or its other end. */
	private enum Closer {

		/** The ledger saw no close: untraced, or a peer in another process. */
		UNKNOWN,

		/** Its test's own thread, later: a later test or a fixture such as {@code @AfterAll}. The grace blocks that thread. */
		TEST_THREAD,

		/** Another thread: a server's, a client's, a timer's, which a longer grace would have let run. */
		OTHER_THREAD
	}

	/** At most this many sockets are watched in one JVM; later failures' sockets are not, and their fate is not said. */
	static final int MAX_WATCHED = 1_000;

	private static final Map<TcpSocket.Key, Watch> WATCHED = new ConcurrentHashMap<>();

	/** The same watches, by the text the report holds. */
	private static final Map<String, Watch> WATCHED_BY_TEXT = new ConcurrentHashMap<>();

	private static volatile @Nullable SocketTableSource lookAgain;

	/** The identity of a socket across reads: its state and 4-tuple, as the report prints them. */
	static String watchKey(TcpState state, String local, String remote) {
		return state + " " + local + " " + remote;
	}

	/** The source the session's end reads the table from once more. */
	static void lookAgainWith(SocketTableSource source) {
		lookAgain = source;
	}

	/**
	 * Starts watching the sockets that failed a test, on the thread that ran the test.
	 *
	 * @param testEnded when the check after the test began ({@link System#nanoTime()})
	 * @param lastSeen when the last read that listed them began
	 */
	static void watch(List<Finding> failed, long testEnded, long lastSeen) {
		for (Finding finding : failed) {
			TcpSocket socket = finding.socket();
			if (WATCHED.size() >= MAX_WATCHED) {
				return;
			}
			Watch watch = new Watch(socket.key(), testEnded, lastSeen, Thread.currentThread());
			if (WATCHED.putIfAbsent(socket.key(), watch) == null) {
				WATCHED_BY_TEXT.put(watchKey(socket.state(), socket.local().toString(), socket.remote().toString()), watch);
			}
		}
	}

	/** Whether any socket is watched: a check that reads the table passes it on only then. */
	static boolean watching() {
		return !WATCHED.isEmpty();
	}

	/**
	 * Whether a watched socket was still listed at the last read that looked for it: a check that
	 * reads nothing would leave its close unseen ({@link CheckQuiet#stillHolds}).
	 */
	static boolean watchingListed() {
		if (WATCHED.isEmpty()) {
			return false;
		}
		for (Watch watch : WATCHED.values()) {
			synchronized (watch) {
				if (watch.listed()) {
					return true;
				}
			}
		}
		return false;
	}

	/** The 4-tuples of the watched sockets still listed, for the exact lookups to include. */
	static List<SocketTuple> watchedTuples() {
		List<SocketTuple> tuples = new ArrayList<>();
		for (Watch watch : WATCHED.values()) {
			synchronized (watch) {
				if (watch.listed()) {
					tuples.add(watch.key.tuple());
				}
			}
		}
		return tuples;
	}

	/**
	 * A read of the table, which began at {@code readStart} and ended at {@code readEnd}: each
	 * watched socket in one of the {@code read} states is listed in it or gone. {@code table} is
	 * the whole table, or the part of it that exact lookups found, when the watched 4-tuples were
	 * among those looked up. A socket a read missed (a {@code /proc} read is not a snapshot) and a
	 * later read lists again is listed again: its close is still to come.
	 */
	static void observe(SocketTable table, Set<TcpState> read, long readStart, long readEnd) {
		if (WATCHED.isEmpty()) {
			return;
		}
		Map<SocketTuple, TcpSocket> listed = table.byTuple();
		for (Watch watch : WATCHED.values()) {
			if (!read.contains(watch.key.state())) {
				continue;
			}
			TcpSocket now = listed.get(watch.key.tuple());
			boolean present = now != null && now.state() == watch.key.state();
			synchronized (watch) {
				if (present) {
					if (readStart - watch.lastSeen > 0) {
						watch.lastSeen = readStart;
					}
					if (watch.goneBy != 0 && readStart - watch.goneBy > 0) {
						watch.goneBy = 0;
						watch.expiredBesideCloseWait = false;
					}
				}
				else if (watch.goneBy == 0 && readStart - watch.lastSeen > 0) {
					watch.goneBy = readEnd;
					TcpSocket other = listed.get(watch.key.tuple().mirror());
					watch.expiredBesideCloseWait = watch.key.state() == TcpState.FIN_WAIT2 && other != null
							&& other.state() == TcpState.CLOSE_WAIT;
				}
			}
		}
	}

	/**
	 * The JDK's cleaner closed the socket {@code tuple} at {@code nanos}: its object was
	 * garbage-collected without close(). A watched socket with that 4-tuple, or its other end,
	 * still listed, ends because of it: a leak, however soon.
	 */
	static void cleaned(SocketTuple tuple, long nanos) {
		if (WATCHED.isEmpty()) {
			return;
		}
		SocketTuple mirror = tuple.mirror();
		for (Watch watch : WATCHED.values()) {
			if (watch.concerns(tuple, mirror)) {
				synchronized (watch) {
					if (watch.listed() && nanos - watch.lastSeen > 0) {
						watch.cleanedAt = nanos;
						watch.otherEndCleaned = !watch.key.tuple().equals(tuple);
					}
				}
			}
		}
	}

	/**
	 * This JVM closed the socket {@code tuple}, on the current thread, as the socket ledger saw
	 * (only when tracing). A watched socket with that 4-tuple, or its other end, still listed,
	 * learns whether its test's own thread closed it: later, after the grace, by a later test or a
	 * fixture, which no longer grace could have let run, since the grace blocks that thread.
	 */
	static void closed(SocketTuple tuple, long nanos, @Nullable Throwable stack) {
		if (WATCHED.isEmpty()) {
			return;
		}
		SocketTuple mirror = tuple.mirror();
		Thread current = Thread.currentThread();
		for (Watch watch : WATCHED.values()) {
			if (watch.concerns(tuple, mirror)) {
				boolean onTestThread = watch.testThread.get() == current;
				// Worked out outside the watch's lock: it turns a stack into frames, and may load classes.
				String closedBy = onTestThread ? "" : closer(current, stack, !watch.key.tuple().equals(tuple));
				synchronized (watch) {
					if (watch.goneBy == 0 && watch.closer == Closer.UNKNOWN && nanos - watch.lastSeen > 0) {
						watch.closer = onTestThread ? Closer.TEST_THREAD : Closer.OTHER_THREAD;
						watch.closedBy = closedBy;
					}
				}
			}
		}
	}

	/** Whether a socket with this 4-tuple, or its other end, failed a test and is watched: a scan, only after failures. */
	static boolean isWatched(SocketTuple tuple) {
		if (WATCHED.isEmpty()) {
			return false;
		}
		SocketTuple mirror = tuple.mirror();
		for (Watch watch : WATCHED.values()) {
			if (watch.concerns(tuple, mirror)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * {@code by thread "Keep-Alive-Timer" at sun.net.www.http.HttpClient.closeServer(HttpClient.java:1127)},
	 * or, when it was the other end that closed, {@code when thread "server-worker" closed its other
	 * end at ...}: the closing thread, and the innermost frame of its stack that is a library's or
	 * the application's (the JDK's own where the thread ran only the JDK's code), as a row shows it.
	 */
	static String closer(Thread thread, @Nullable Throwable stack, boolean otherEnd) {
		String named = (otherEnd ? "when thread \"" : "by thread \"") + thread.getName() + "\""
				+ (otherEnd ? " closed its other end" : "");
		List<StackTraceElement> frames = stack == null ? List.of() : LedgerFrames.shown(stack.getStackTrace(), List.of());
		return frames.isEmpty() ? named : named + " at " + frames.get(0);
	}

	/**
	 * Reads the table once more, at the end of the run: the watched sockets' fate, and what this
	 * JVM still holds lingering, which is reported and never failed. Empty when the read fails,
	 * and then the report says nothing more about how these sockets ended.
	 */
	static List<TcpSocket> lookAgainAtTheEnd() {
		SocketTableSource source = lookAgain;
		if (source == null) {
			return List.of();
		}
		try {
			long start = System.nanoTime();
			SocketTable table = source.read();
			observe(table, EnumSet.allOf(TcpState.class), start, System.nanoTime());
			return stillHeld(table, new OwnershipProcSelfFd(java.nio.file.Path.of("/proc/self/fd")).socketInodes());
		}
		catch (SocketTableException | RuntimeException e) {
			return List.of();
		}
	}

	/**
	 * This JVM's sockets in the default lingering states: those whose inode is an open fd here
	 * (rule 1), and FIN_WAIT2 orphans whose peer is one of them (rule 2).
	 */
	static List<TcpSocket> stillHeld(SocketTable table, Set<Long> ownInodes) {
		Set<SocketTuple> owned = new HashSet<>();
		for (TcpSocket socket : table.sockets()) {
			if (socket.inode() != 0 && ownInodes.contains(socket.inode())) {
				owned.add(socket.tuple());
			}
		}
		List<TcpSocket> held = new java.util.ArrayList<>();
		for (TcpSocket socket : table.sockets()) {
			if (CheckConfiguration.DEFAULT_STATES.contains(socket.state()) && (owned.contains(socket.tuple())
					|| owned.contains(new SocketTuple(socket.remote(), socket.local())))) {
				held.add(socket);
			}
		}
		return held;
	}

	/** How a socket that failed a test ended, as the reads saw it; {@link SuiteReportFate#NONE} when it was not watched. */
	static SuiteReportFate fate(String watchKey) {
		Watch watch = WATCHED_BY_TEXT.get(watchKey);
		if (watch == null) {
			return SuiteReportFate.NONE;
		}
		synchronized (watch) {
			if (watch.cleanedAt != 0) {
				long at = millisFloor(watch.cleanedAt - watch.testEnded);
				return new SuiteReportFate(watch.otherEndCleaned ? SuiteReportFate.Kind.OTHER_END_CLEANER
						: SuiteReportFate.Kind.CLEANER, at, at);
			}
			if (watch.goneBy == 0) {
				return SuiteReportFate.LINGERING;
			}
			long from = millisFloor(watch.lastSeen - watch.testEnded);
			long by = (watch.goneBy - watch.testEnded + 999_999) / 1_000_000;
			if (watch.expiredBesideCloseWait && !otherEndClosedRightAfter(watch)) {
				return new SuiteReportFate(SuiteReportFate.Kind.EXPIRED_BESIDE_CLOSE_WAIT, from, by);
			}
			return new SuiteReportFate(switch (watch.closer) {
				case UNKNOWN -> SuiteReportFate.Kind.CLOSED;
				case TEST_THREAD -> SuiteReportFate.Kind.CLOSED_ON_TEST_THREAD;
				case OTHER_THREAD -> SuiteReportFate.Kind.CLOSED_ON_ANOTHER_THREAD;
			}, from, by, watch.closedBy);
		}
	}

	/**
	 * Whether the CLOSE_WAIT other end of a FIN_WAIT2 that went while that end was listed closed
	 * right after: it was never listed again by a later read, and a later read missed it. A read is
	 * not one moment: the other end's CLOSE_WAIT may have been read just before its close sent the
	 * FIN that ended the FIN_WAIT2 (then TIME_WAIT), so the same read saw the FIN_WAIT2 gone beside a
	 * CLOSE_WAIT. The kernel expired the orphan only if its other end stayed: listed by a later read,
	 * or still there at the end of the run.
	 */
	private static boolean otherEndClosedRightAfter(Watch watch) {
		Watch other = WATCHED.get(new TcpSocket.Key(watch.key.tuple().mirror(), TcpState.CLOSE_WAIT));
		if (other == null) {
			return false;
		}
		synchronized (other) {
			return other.goneBy != 0 && watch.goneBy - other.lastSeen >= 0;
		}
	}

	private static long millisFloor(long nanos) {
		return Math.max(0, nanos / 1_000_000);
	}

	/** Forgets the watched sockets once the session's report is written. */
	static void forgetWatched() {
		WATCHED.clear();
		WATCHED_BY_TEXT.clear();
	}
}
