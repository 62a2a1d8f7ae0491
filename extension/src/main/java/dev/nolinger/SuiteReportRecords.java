/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

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
	 * A socket that failed a test, watched until the run ends to tell a leak from a late close:
	 * the session's end reads the whole table once more. (Later checks' snapshots are no help:
	 * a check may skip its read, or read only this JVM's part of the table.)
	 */
	private static final class Watch {

		final long failedAt;
		volatile long lastSeen;
		volatile long goneBy;
		/** A FIN_WAIT2 gone while its other end was still in CLOSE_WAIT: the kernel expired the orphan. */
		volatile boolean expiredBesideCloseWait;

		Watch(long failedAt) {
			this.failedAt = failedAt;
			this.lastSeen = failedAt;
		}
	}

	private static final Map<String, Watch> WATCHED = new ConcurrentHashMap<>();

	private static volatile @Nullable SocketTableSource lookAgain;

	/** The identity of a socket across reads: its state and 4-tuple, as the report prints them. */
	static String watchKey(TcpState state, String local, String remote) {
		return state + " " + local + " " + remote;
	}

	/** The source the session's end reads the table from once more. */
	static void lookAgainWith(SocketTableSource source) {
		lookAgain = source;
	}

	/** Starts watching the sockets that failed a test, which just ended. */
	static void watch(List<Finding> failed, long nanos) {
		for (Finding finding : failed) {
			TcpSocket socket = finding.socket();
			WATCHED.putIfAbsent(watchKey(socket.state(), socket.local().toString(), socket.remote().toString()),
					new Watch(nanos));
		}
	}

	/** A read of the table at {@code nanos} listed exactly {@code present} among the watched states. */
	static void observe(Set<TcpSocket.Key> present, long nanos) {
		if (WATCHED.isEmpty()) {
			return;
		}
		Set<String> keys = new HashSet<>();
		for (TcpSocket.Key key : present) {
			keys.add(watchKey(key.state(), key.tuple().local().toString(), key.tuple().remote().toString()));
		}
		WATCHED.forEach((key, watch) -> {
			if (watch.goneBy == 0 && nanos > watch.failedAt) {
				if (keys.contains(key)) {
					watch.lastSeen = nanos;
				}
				else {
					watch.goneBy = nanos;
					watch.expiredBesideCloseWait = key.startsWith(TcpState.FIN_WAIT2 + " ")
							&& keys.contains(closeWaitMirror(key));
				}
			}
		});
	}

	/**
	 * The CLOSE_WAIT key of the other end of a FIN_WAIT2's key. A FIN_WAIT2 gone while that end
	 * stays in CLOSE_WAIT did not close: the other end never sent its FIN, so the kernel dropped
	 * the orphan after {@code tcp_fin_timeout}. It is half of a leak, not a late close.
	 */
	private static String closeWaitMirror(String finWait2Key) {
		String[] parts = finWait2Key.split(" ");
		return watchKey(TcpState.CLOSE_WAIT, parts[2], parts[1]);
	}

	/**
	 * Reads the table once more, at the end of the run: the watched sockets' fate, and what this
	 * JVM still holds lingering, which is reported and never failed. Empty when the read fails,
	 * and then the report says nothing about how these sockets ended.
	 */
	static List<TcpSocket> lookAgainAtTheEnd() {
		SocketTableSource source = lookAgain;
		if (source == null) {
			return List.of();
		}
		long now = System.nanoTime();
		try {
			SocketTable table = source.read();
			Set<TcpSocket.Key> present = new HashSet<>();
			for (TcpSocket socket : table.sockets()) {
				present.add(socket.key());
			}
			observe(present, now);
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

	/**
	 * How a socket that failed a test ended: {@code still lingering at the end of the run},
	 * {@code closed 1.2-1.6 s after its test}, or empty when it was not watched.
	 */
	static String fate(String watchKey) {
		Watch watch = WATCHED.get(watchKey);
		if (watch == null) {
			return "";
		}
		if (watch.goneBy == 0) {
			return Messages.stillLingeringAtTheEnd();
		}
		if (watch.expiredBesideCloseWait) {
			return Messages.expiredBesideCloseWait();
		}
		return Messages.closedAfterItsTest(watch.lastSeen - watch.failedAt, watch.goneBy - watch.failedAt);
	}

	/** Forgets the watched sockets once the session's report is written. */
	static void forgetWatched() {
		WATCHED.clear();
	}
}
