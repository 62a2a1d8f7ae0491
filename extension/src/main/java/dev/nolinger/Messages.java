/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * The messages the check shows a user: the failure message and its report entry, the hints that
 * say what each state means, and the platform and configuration errors. The diagnostic command's
 * messages are in {@link CommandMessages}, which takes its hints from {@link #appendHints}, said
 * of the owning process.
 */
final class Messages {

	/** Who holds the socket, in the check's messages. */
	static final String THIS_JVM = "this JVM";

	private Messages() {
	}

	/** The last line of an untraced failure: how to see where each socket was opened. */
	static final String UNTRACED = "To see where each socket was opened, run the tests with -javaagent:<the nolinger-junit jar>"
			+ " (README: \"Where a socket was opened\").";

	/**
	 * The failure message of an untraced run:
	 *
	 * <pre>
	 * 2 sockets lingering after Foo.bar() (tolerance 0):
	 *   CLOSE_WAIT  server end  127.0.0.1:40000 -&gt; 127.0.0.1:50000  rule 1: inode 9 is an open fd of this JVM  other end: FIN_WAIT2, this JVM's
	 *   ...
	 * Hints:
	 *   CLOSE_WAIT: ...
	 * To see where each socket was opened, ...
	 * </pre>
	 */
	static String lingering(String testName, int tolerance, Duration grace, List<Finding> findings) {
		return lingering(testName, tolerance, grace, findings, 0, "");
	}

	/** The failure message of an untraced run, with a note on the sockets the baseline file already allows. */
	static String lingering(String testName, int tolerance, Duration grace, List<Finding> findings, int inBaseline,
			String baseline) {
		return lingering(testName, List.of(), tolerance, grace, findings, inBaseline, baseline, false);
	}

	/**
	 * The failure message. Traced, each row is followed by where its socket was opened (and
	 * closed, when it was), as stack frames IDEs link, and the message ends with what to fix;
	 * untraced, it ends with how to trace.
	 *
	 * @param testClasses the test's own classes, whose innermost frame each stack always shows
	 * @param grace how long the check watched the sockets after the test before judging
	 * @param tracing whether the agent traced this run
	 */
	static String lingering(String testName, List<String> testClasses, int tolerance, Duration grace,
			List<Finding> findings, int inBaseline, String baseline, boolean tracing) {
		List<Finding> sorted = inOrder(findings);
		List<String[]> rows = new ArrayList<>();
		for (Finding finding : sorted) {
			TcpSocket socket = finding.socket();
			rows.add(new String[] { socket.state().name(), finding.role().label(), socket.tuple().toString(), reason(finding),
					finding.otherEnd() == null ? "" : "other end: " + finding.otherEnd().state() + ", this JVM's" });
		}
		StringBuilder message = new StringBuilder();
		message.append(sorted.size()).append(sorted.size() == 1 ? " socket" : " sockets")
				.append(" lingering after ").append(testName).append(" (tolerance ").append(tolerance)
				.append("):");
		List<String> lines = MessageTable.aligned(rows);
		List<Finding> otherEnds = tracing ? otherEnds(sorted) : List.of();
		Set<List<StackTraceElement>> printed = new HashSet<>();
		for (int i = 0; i < sorted.size(); i++) {
			message.append(lines.get(i));
			if (tracing) {
				appendTrace(message, sorted.get(i), testClasses, printed);
				for (Finding other : otherEnds) {
					if (other.otherEnd() == sorted.get(i).socket()) {
						message.append("\n    its other end, not counted against this test: ").append(other.socket().state())
							.append(' ').append(other.role().label()).append(' ').append(other.socket().tuple());
						appendTrace(message, other, testClasses, printed);
					}
				}
			}
		}
		message.append("\nHints:");
		TreeSet<TcpState> states = new TreeSet<>(sorted.stream().map(f -> f.socket().state()).toList());
		otherEnds.forEach(other -> states.add(other.socket().state()));
		String watched = grace.isZero() ? " right after the test (no grace)" : " after " + duration(grace) + " of grace";
		for (TcpState state : states) {
			message.append("\n  still ").append(state).append(watched).append(": ").append(hint(state, THIS_JVM));
		}
		message.append("\n  ").append(lateOrLeak(grace));
		if (inBaseline > 0) {
			message.append("\nNot counted: ").append(inBaseline).append(inBaseline == 1 ? " more socket" : " more sockets")
				.append(" that the baseline ").append(baseline).append(" allows this test.");
		}
		if (tracing) {
			fix(sorted, testClasses, grace, testName).ifPresent(fix -> message.append("\n").append(fix));
		}
		else {
			message.append("\n").append(UNTRACED);
		}
		return message.toString();
	}

	/**
	 * What the failure can say about a late close, said alike of every socket: a late close and a
	 * leak look the same when the grace ends. Only later reads tell them apart, and the suite
	 * summary says which was which, and which grace would have passed the late ones; a leak gets
	 * no advice to raise the grace.
	 */
	static String lateOrLeak(Duration grace) {
		return "Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when,"
				+ " and which " + NoLingeringSocketsExtension.GRACE_KEY + " (now " + duration(grace)
				+ ") would have passed; raise it only for a late close.";
	}

	/** The order rows are shown in: both ends of one connection next to each other. */
	static List<Finding> inOrder(List<Finding> findings) {
		List<Finding> sorted = new ArrayList<>(findings);
		sorted.sort(Comparator.comparing(Finding::socket, TcpSocket.BOTH_ENDS_TOGETHER));
		return sorted;
	}

	/**
	 * Where the ledger saw the socket opened, and closed, each as a line naming the thread and
	 * the frames that matter ({@link LedgerFrames#shown}: at most two; frames the message already
	 * shows are named by their file and line).
	 *
	 * @param printed the frames the message shows so far
	 */
	private static void appendTrace(StringBuilder message, Finding finding, List<String> testClasses,
			Set<List<StackTraceElement>> printed) {
		LedgerSocket traced = finding.traced();
		if (traced == null) {
			message.append("\n    not traced: not opened through the JDK's sockets while the agent ran"
					+ " (such as by Netty's native transports)");
			return;
		}
		LedgerSocket.Event opened = traced.opened();
		message.append("\n    ").append(traced.kind().verb()).append(" on thread \"").append(opened.thread()).append('"');
		Origin server = null;
		if (traced.listener() != null) {
			message.append(" by listener ").append(traced.listener());
			// Said where the accept's own frames lead nowhere in the test's code: an acceptor thread's.
			server = inOwnCode(opened, testClasses) ? null : serverStarted(traced, testClasses);
			if (server != null) {
				message.append(", started at ").append(LedgerFrames.fileAndLine(server.frame()));
			}
		}
		appendFrames(message, opened, testClasses, printed);
		LedgerFrames.Pool pool = pool(opened, testClasses);
		if (pool != null) {
			// Said only while the pool may still hold it: a closed socket was opened through a pool, no more.
			message.append(traced.closed() == null ? "\n    a connection pool holds this connection: " + pool.opened()
					+ " open for reuse" : "\n    opened through a connection pool: " + pool.name());
		}
		Origin thread = origin(opened.lineage(), testClasses);
		// A server's thread started on the line that opened its listener: that line is said already.
		if (thread != null && (server == null || !thread.frame().equals(server.frame()))) {
			appendLineage(message, opened, testClasses);
		}
		LedgerSocket.Event closed = traced.closed();
		if (closed != null) {
			if (closed.collectedUnclosed()) {
				// No cleaner reported closing it: a channel registers none, and a collected channel keeps its fd.
				message.append("\n    its socket object was garbage-collected without close()");
				if (finding.ownership().rule() == OwnershipRule.OPEN_FD) {
					message.append(", and its fd is still open: NIO channels register no cleaner, so nothing closes it"
							+ " until this JVM exits");
				}
			}
			else if (closed.byCleaner()) {
				message.append("\n    closed by the JDK's cleaner on thread \"").append(closed.thread())
					.append("\": the socket was garbage-collected without close(), a leak that no grace fixes");
			}
			else if (closed.afterPeer()) {
				message.append("\n    closed on thread \"").append(closed.thread())
					.append("\" after its other end, which this JVM closed first");
			}
			else {
				message.append("\n    closed on thread \"").append(closed.thread()).append('"');
				appendFrames(message, closed, testClasses, printed);
				if (!closed.thread().equals(opened.thread()) || opened.lineage() == null) {
					appendLineage(message, closed, testClasses);
				}
			}
		}
	}

	/**
	 * Where the ledger saw the socket opened, on one line, for the report's list of sockets not
	 * judged: {@code connected on thread "main" at OrderIT.java:42}, then the connection pool it
	 * went through, the server that accepted it and where that started, and where a test started
	 * its thread. Empty when the socket was not traced.
	 */
	static String whereOpened(Finding finding, List<String> testClasses) {
		LedgerSocket traced = finding.traced();
		if (traced == null) {
			return "";
		}
		LedgerSocket.Event opened = traced.opened();
		StringBuilder where = new StringBuilder().append(traced.kind().verb()).append(" on thread \"")
			.append(MessageText.printable(opened.thread())).append('"');
		StackTraceElement anchor = opened.stack() == null ? null
				: LedgerFrames.anchor(opened.stack().getStackTrace(), testClasses);
		if (anchor != null) {
			where.append(" at ").append(LedgerFrames.fileAndLine(anchor));
		}
		LedgerFrames.Pool pool = pool(opened, testClasses);
		if (pool != null) {
			where.append(", through the connection pool ").append(pool.name());
		}
		if (traced.listener() != null) {
			where.append(", by listener ").append(traced.listener());
			Origin server = serverStarted(traced, testClasses);
			LedgerSocket listener = traced.listenerRecord();
			// Another test's server, maybe: then its listener's own line, whoever's it is.
			StackTraceElement started = server != null ? server.frame()
					: listener == null || listener.opened().stack() == null ? null
							: LedgerFrames.anchor(listener.opened().stack().getStackTrace(), testClasses);
			if (started != null) {
				where.append(", started at ").append(LedgerFrames.fileAndLine(started));
			}
		}
		Origin thread = origin(opened.lineage(), testClasses);
		if (thread != null) {
			where.append("; thread \"").append(MessageText.printable(opened.thread())).append("\" was started during ")
				.append(thread.test()).append(" at ").append(LedgerFrames.fileAndLine(thread.frame()));
		}
		return where.toString();
	}

	/** One line on where the event's thread came from, when a test (or class fixture) created it. */
	private static void appendLineage(StringBuilder message, LedgerSocket.Event event, List<String> testClasses) {
		Origin origin = origin(event.lineage(), testClasses);
		if (origin != null) {
			message.append("\n    thread \"").append(event.thread()).append("\" was started during ").append(origin.test())
				.append(" at ").append(LedgerFrames.fileAndLine(origin.frame()));
		}
	}

	/**
	 * Where a thread came from: the test it was created during, the frame a message names (the
	 * innermost of the test's own code along the chain of creations, else the innermost useful
	 * frame of the first creation, on the test's thread) and the stack that frame is in.
	 */
	record Origin(String test, StackTraceElement frame, StackTraceElement[] stack, boolean own) {
	}

	static @Nullable Origin origin(@Nullable LedgerLineage lineage, List<String> testClasses) {
		if (lineage == null) {
			return null;
		}
		StackTraceElement[][] stacks = lineage.stacks();
		String test = LedgerLineage.testName(lineage.testId());
		for (StackTraceElement[] stack : stacks) {
			StackTraceElement own = LedgerFrames.own(stack, testClasses);
			if (own != null) {
				return new Origin(test, own, stack, true);
			}
		}
		StackTraceElement[] first = stacks[stacks.length - 1];
		StackTraceElement anchor = LedgerFrames.anchor(first, testClasses);
		return anchor == null ? null : new Origin(test, anchor, first, false);
	}

	/**
	 * Where the server that accepted the socket was started, in the test's own code: the
	 * listener's opening frames, else its thread's lineage. Null when neither holds such a line.
	 */
	static @Nullable Origin serverStarted(LedgerSocket accepted, List<String> testClasses) {
		LedgerSocket listener = accepted.listenerRecord();
		if (listener == null) {
			return null;
		}
		LedgerSocket.Event opened = listener.opened();
		LedgerSocket.Trace stack = opened.stack();
		if (stack != null) {
			StackTraceElement[] frames = stack.getStackTrace();
			StackTraceElement own = LedgerFrames.own(frames, testClasses);
			if (own != null) {
				return new Origin("", own, frames, true);
			}
		}
		Origin origin = origin(opened.lineage(), testClasses);
		return origin != null && origin.own() ? origin : null;
	}

	/** Whether the event's own frames hold a line of the test's own code. */
	private static boolean inOwnCode(LedgerSocket.@Nullable Event event, List<String> testClasses) {
		LedgerSocket.Trace stack = event == null ? null : event.stack();
		return stack != null && LedgerFrames.own(stack.getStackTrace(), testClasses) != null;
	}

	/** The thread's origin, for a fix: only when its chain holds a line of the test's own code. */
	private static @Nullable Origin ownOrigin(LedgerSocket.@Nullable Event event, List<String> testClasses) {
		if (event == null || inOwnCode(event, testClasses)) {
			return null;
		}
		Origin origin = origin(event.lineage(), testClasses);
		return origin != null && origin.own() ? origin : null;
	}

	/**
	 * The error's own stack: traced, where the line the fix names is (the socket's opening frames,
	 * else where the server that accepted it or the thread that opened it was started, in the
	 * test's own code), so an IDE's click lands there. Untraced, none: the frames that threw, the
	 * extension's and JUnit's, help nobody.
	 */
	static StackTraceElement[] errorStack(List<Finding> findings, List<String> testClasses, boolean tracing) {
		if (!tracing) {
			return new StackTraceElement[0];
		}
		List<Finding> sorted = inOrder(findings);
		List<Finding> candidates = new ArrayList<>(toFix(sorted));
		candidates.addAll(sorted);
		for (Finding finding : candidates) {
			LedgerSocket traced = finding.traced();
			if (traced == null || traced.opened().stack() == null) {
				continue;
			}
			LedgerSocket.Event opened = traced.opened();
			if (!inOwnCode(opened, testClasses)) {
				Origin server = traced.kind() == LedgerSocket.Kind.ACCEPTED ? serverStarted(traced, testClasses) : null;
				Origin thread = server != null ? server : ownOrigin(opened, testClasses);
				if (thread != null) {
					return LedgerFrames.forError(thread.stack(), thread.frame(), testClasses);
				}
			}
			return LedgerFrames.forError(opened.stack().getStackTrace(), testClasses);
		}
		return new StackTraceElement[0];
	}

	/**
	 * Ends the event's line with a colon and its frames; when the message already shows those very
	 * frames (a connection's two ends opened by one helper call, an accept closed on its own line),
	 * with {@code at File.java:N, shown above} instead. A row whose frames differ shows them all,
	 * its test's line included, so that each row says where its own socket came from.
	 */
	private static void appendFrames(StringBuilder message, LedgerSocket.Event event, List<String> testClasses,
			Set<List<StackTraceElement>> printed) {
		List<StackTraceElement> frames = event.stack() == null ? List.of()
				: LedgerFrames.shown(event.stack().getStackTrace(), testClasses);
		if (!frames.isEmpty() && !printed.add(frames)) {
			message.append(" at ").append(LedgerFrames.fileAndLine(frames.get(frames.size() - 1))).append(", shown above");
			return;
		}
		message.append(':');
		for (StackTraceElement frame : frames) {
			message.append("\n\tat ").append(LedgerFrames.text(frame));
		}
	}

	/** The connection pool the event's frames went through, when there was one (see {@link LedgerFrames#pool}). */
	private static LedgerFrames.@Nullable Pool pool(LedgerSocket.@Nullable Event event, List<String> testClasses) {
		return event == null || event.stack() == null ? null
				: LedgerFrames.pool(event.stack().getStackTrace(), testClasses);
	}

	/**
	 * One line on what to fix first: the end that never closed (CLOSE_WAIT), else the peer of an
	 * end this JVM closed (FIN_WAIT2), else the first socket left in another checked state. A
	 * FIN_WAIT2 whose other end is this JVM's needs no fix of its own: closing that end ends both.
	 */
	static Optional<String> fix(List<Finding> sorted, List<String> testClasses, Duration grace) {
		return fix(sorted, testClasses, grace, "");
	}

	/**
	 * @param testName the failing test's name: a thread started during another test is said to
	 *     be, since its line is then that test's (a shared pool it started)
	 */
	static Optional<String> fix(List<Finding> sorted, List<String> testClasses, Duration grace, String testName) {
		List<Finding> targets = toFix(sorted);
		if (targets.isEmpty()) {
			return Optional.empty();
		}
		Finding first = targets.get(0);
		String end = first.socket().state() == TcpState.LISTEN ? "listener" : first.role().label();
		LedgerSocket traced = first.traced();
		LedgerSocket.Event openedEvent = traced == null ? null : traced.opened();
		String opened = where(first, openedEvent, testClasses);
		// The check looked only this long: the socket may well close later, and then it closed late.
		String within = grace.isZero() ? "by the end of the test" : "within " + duration(grace) + " of grace";
		// Opened on a library's thread (an acceptor, a selector): the user's line is the server started or the client built.
		Origin server = traced != null && traced.kind() == LedgerSocket.Kind.ACCEPTED && !inOwnCode(openedEvent, testClasses)
				? serverStarted(traced, testClasses) : null;
		Origin thread = ownOrigin(openedEvent, testClasses);
		String build = "";
		if (openedEvent != null && thread != null) {
			opened = "opened on thread \"" + openedEvent.thread() + "\", which " + startedAt(thread, testName) + " started";
			build = ": close or stop what that line built before the test ends";
		}
		LedgerFrames.Pool pool = traced == null || traced.closed() != null ? null : pool(openedEvent, testClasses);
		String fix = pool != null && first.socket().state() != TcpState.FIN_WAIT2 && first.socket().state() != TcpState.LISTEN
				? pooled(first, pool, opened, within)
				: switch (first.socket().state()) {
			case CLOSE_WAIT -> server != null && traced != null
					? "the server listening on " + traced.listener() + ", started at "
							+ LedgerFrames.fileAndLine(server.frame()) + ", had not closed this accepted connection, which the "
							+ peer(first.role()) + " closed, " + within
							+ " (CLOSE_WAIT): stop that server, or make it close its connections, before the test ends."
					: "close the " + end + " " + opened + build + " (CLOSE_WAIT: the " + peer(first.role())
							+ " closed; this JVM had not closed it " + within + ").";
			case FIN_WAIT2 -> {
				LedgerSocket.Event closed = traced == null ? null : traced.closed();
				Origin closer = ownOrigin(closed, testClasses);
				String closedWhere = closed != null && closer != null
						? "on thread \"" + closed.thread() + "\", which " + startedAt(closer, testName) + " started"
						: where(first, closed, testClasses).replaceFirst("^opened ", "");
				yield "make the peer " + first.socket().remote() + " close its end too; this JVM "
						+ (closed == null ? "shut down the output of the " + end + " " + opened
								: "closed the " + end + " " + closedWhere)
						+ " (FIN_WAIT2: the peer had not closed its end " + within + ").";
			}
			default -> "close the " + end + " " + opened + build + " (" + first.socket().state() + ": "
					+ stripPeriod(hint(first.socket().state())) + ").";
		};
		int more = targets.size() - 1;
		return Optional.of("Fix: " + fix + (more == 0 ? ""
				: " " + more + (more == 1 ? " more socket" : " more sockets") + " above "
						+ (more == 1 ? "needs" : "need") + " a fix too."));
	}

	/**
	 * The fix of a socket a connection pool opened and still holds: the line that made the
	 * request has nothing to close (a fluent call through a hidden static pool, say), so the fix
	 * is the pool, or the client that owns it.
	 */
	private static String pooled(Finding finding, LedgerFrames.Pool pool, String opened, String within) {
		TcpState state = finding.socket().state();
		String why = state == TcpState.CLOSE_WAIT
				? "CLOSE_WAIT: the " + peer(finding.role()) + " closed; this JVM had not closed it " + within
				: state + ": " + stripPeriod(hint(state));
		return "close or evict the connection pool " + pool.name()
				+ ", or close the client that owns it: it holds the " + finding.role().label() + " " + opened
				+ ", and keeps it open after its request (" + why + ").";
	}

	/**
	 * The sockets whose code needs a fix, the first first: the ends left in CLOSE_WAIT, then the
	 * others, but not a FIN_WAIT2 whose other end is this JVM's (closing that end ends both).
	 */
	static List<Finding> toFix(List<Finding> sorted) {
		List<Finding> targets = new ArrayList<>();
		sorted.stream().filter(f -> f.socket().state() == TcpState.CLOSE_WAIT).forEach(targets::add);
		targets.addAll(otherEnds(sorted));
		sorted.stream()
			.filter(f -> f.socket().state() != TcpState.CLOSE_WAIT
					&& !(f.socket().state() == TcpState.FIN_WAIT2 && f.otherEnd() != null))
			.forEach(targets::add);
		return targets;
	}

	/**
	 * The other ends, this JVM's, of the FIN_WAIT2 rows whose other end is no row of the message:
	 * not judged (other tests ran concurrently), allowed by the baseline, or counted by another
	 * test. The fix is theirs, not the FIN_WAIT2's, so the message shows them as context, with
	 * where the ledger saw them opened, and its {@code Fix:} names them. They count for nothing.
	 */
	static List<Finding> otherEnds(List<Finding> sorted) {
		Set<SocketTuple> listed = new HashSet<>();
		sorted.forEach(finding -> listed.add(finding.socket().tuple()));
		List<Finding> others = new ArrayList<>();
		for (Finding finding : sorted) {
			TcpSocket other = finding.otherEnd();
			if (finding.socket().state() == TcpState.FIN_WAIT2 && other != null && listed.add(other.tuple())) {
				LedgerSocket record = Ledger.INSTANCE.find(other.tuple());
				Finding.Role role = record != null ? record.role()
						: finding.role() == Finding.Role.CLIENT ? Finding.Role.SERVER
								: finding.role() == Finding.Role.SERVER ? Finding.Role.CLIENT : Finding.Role.UNKNOWN;
				others.add(new Finding(other, new Ownership(OwnershipRule.MIRROR, finding.socket()), role, finding.socket(),
						record));
			}
		}
		return others;
	}

	/** {@code OrderIT.java:42}, or {@code OrderIT.java:42 (during OrderIT.other())} when another test started the thread. */
	private static String startedAt(Origin origin, String testName) {
		String line = LedgerFrames.fileAndLine(origin.frame());
		return testName.isEmpty() || testName.startsWith(origin.test()) || origin.test().startsWith("class ")
				? line : line + " (during " + origin.test() + ")";
	}

	/** "opened at OrderIT.java:42" from the event's stack, or the socket's 4-tuple when there is none. */
	private static String where(Finding finding, LedgerSocket.@Nullable Event event, List<String> testClasses) {
		StackTraceElement anchor = event == null || event.stack() == null ? null
				: LedgerFrames.anchor(event.stack().getStackTrace(), testClasses);
		return anchor == null ? finding.socket().tuple().toString() : "opened at " + LedgerFrames.fileAndLine(anchor);
	}

	private static String peer(Finding.Role role) {
		return switch (role) {
			case SERVER -> "client";
			case CLIENT -> "server";
			case UNKNOWN -> "peer";
		};
	}

	private static String stripPeriod(String text) {
		return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
	}

	/** One report entry per test: {@code nolinger.lingering} = count, {@code nolinger.socket.N} = one row each. */
	static Map<String, String> reportEntry(List<Finding> findings) {
		Map<String, String> entry = new java.util.LinkedHashMap<>();
		entry.put("nolinger.lingering", String.valueOf(findings.size()));
		int n = 1;
		for (Finding finding : findings) {
			TcpSocket socket = finding.socket();
			entry.put("nolinger.socket." + n++, socket.state() + " " + finding.role().label() + " " + socket.tuple() + " ("
					+ reason(finding) + ")");
		}
		return entry;
	}

	static String reason(Finding finding) {
		Ownership ownership = finding.ownership();
		String prefix = "rule " + ownership.rule().number() + ": ";
		return prefix + switch (ownership.rule()) {
			case OPEN_FD -> "inode " + finding.socket().inode() + " is an open fd of this JVM";
			case MIRROR -> "mirror of this JVM's " + ownership.evidence().state() + " socket";
			case LISTENER -> "local port is this JVM's listener " + ownership.evidence().local();
			case SEEN_BEFORE -> "4-tuple seen owned by this JVM earlier";
			case CLOSED_DURING_TEST -> "this JVM closed this 4-tuple during the test";
		};
	}

	/** {@code 1 s}, {@code 500 ms}, {@code 2 min}: how users write the grace, spelled out. */
	static String duration(Duration duration) {
		long millis = duration.toMillis();
		if (millis == 0) {
			return "0 s";
		}
		if (millis % 60_000 == 0) {
			return millis / 60_000 + " min";
		}
		return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
	}

	/** What this JVM still holds lingering when the run ends: reported once per JVM, never failed. */
	static String stillHeldAtTheEnd(List<TcpSocket> held) {
		Map<String, Integer> byState = new java.util.TreeMap<>();
		held.forEach(socket -> byState.merge(socket.state().name(), 1, Integer::sum));
		return "nolinger: this JVM still holds " + held.size() + (held.size() == 1 ? " lingering socket" : " lingering sockets")
				+ " at the end of the run (" + byState.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
					.collect(Collectors.joining(", "))
				+ "): reported, not failed.";
	}

	/** The report entry of findings left unjudged: {@code nolinger.notJudged} and one row per socket. */
	static Map<String, String> notJudgedEntry(List<Finding> findings, int others) {
		Map<String, String> entry = new java.util.LinkedHashMap<>();
		entry.put("nolinger.notJudged", findings.size() + (findings.size() == 1 ? " socket" : " sockets")
				+ " not judged: " + others + (others == 1 ? " other test" : " other tests") + " ran concurrently");
		int n = 1;
		for (Finding finding : findings) {
			TcpSocket socket = finding.socket();
			entry.put("nolinger.notJudged." + n++, socket.state() + " " + finding.role().label() + " " + socket.tuple());
		}
		return entry;
	}

	/** Said once per run when parallel execution is on and tests are checked. */
	static String parallelNotice() {
		return "nolinger: parallel execution is on. Tests annotated @NoLingeringSockets run alone (a global lock) and are"
				+ " judged fully. A test checked through global registration that runs while other checked tests run is"
				+ " judged only on sockets proven its own; the rest are reported as \"not judged\" (report entry"
				+ " nolinger.notJudged and the suite summary), never failed. Classes are judged the same way.";
	}

	static String stillLingeringAtTheEnd() {
		return "still lingering at the end of the run";
	}

	/** The fate of a FIN_WAIT2 that the kernel dropped while its other end stayed in CLOSE_WAIT. */
	static String expiredBesideCloseWait() {
		return "half of a leak: the kernel dropped this FIN_WAIT2 after tcp_fin_timeout while its other end stayed in"
				+ " CLOSE_WAIT";
	}

	/** Between the last read that listed the socket and the first that did not, in seconds after its test. */
	static String closedAfterItsTest(long lastSeenNanos, long goneByNanos) {
		return String.format(java.util.Locale.ROOT, "closed %.1f-%.1f s after its test", lastSeenNanos / 1e9,
				goneByNanos / 1e9);
	}

	/** What the state means, said of this JVM. */
	static String hint(TcpState state) {
		return hint(state, THIS_JVM);
	}

	/**
	 * What the state means, said of {@code holder}, whoever holds the socket: {@value #THIS_JVM}
	 * in the check's messages, the owning process in the command's.
	 */
	static String hint(TcpState state, String holder) {
		return switch (state) {
			case CLOSE_WAIT -> "the peer closed, and " + holder + " has not called close() on its end.";
			case FIN_WAIT2 -> holder + " closed (or called shutdownOutput()), and the peer has not closed its end.";
			case ESTABLISHED -> "the connection is still open; neither end has closed it.";
			case LISTEN -> "a server socket is still listening; close it when the test ends.";
			case FIN_WAIT1 -> holder + " closed, and the peer has not acknowledged the FIN yet.";
			case LAST_ACK -> "the peer closed, " + holder + " closed after it, and the final ACK has not arrived.";
			case CLOSING -> "both ends closed at once, and the final ACK has not arrived.";
			case TIME_WAIT -> holder + " closed first and the close completed; the kernel holds the 4-tuple for a while.";
			case SYN_SENT -> "a connect() is still waiting for the peer to answer.";
			case SYN_RECV -> "a connection is half-open, waiting for the client's ACK.";
			case CLOSE -> "the socket is closed but not yet released.";
		};
	}

	/** Appends "Hints:" and one line per state shown, in the kernel's order of states, said of {@code holder}. */
	static void appendHints(StringBuilder text, Collection<TcpState> shown, String holder) {
		text.append("\nHints:");
		for (TcpState state : new TreeSet<>(shown)) {
			text.append("\n  ").append(state).append(": ").append(hint(state, holder));
		}
	}

	static String unsupportedPlatform(String looked, String key) {
		return "nolinger cannot check sockets on this platform: " + looked
				+ " does not exist (the check needs Linux's /proc). Set " + key
				+ "=skip to run the tests without the check.";
	}

	static String skippedOnUnsupportedPlatform(String looked, String key) {
		return "nolinger: " + looked + " does not exist (the check needs Linux's /proc), so @NoLingeringSockets"
				+ " checks nothing in this run. Set " + key + "=fail to make that an error.";
	}

	static String unreadableTable(String testName, SocketTableException cause) {
		return "nolinger could not check " + testName + ": " + cause.getMessage();
	}

	static String netlinkUnavailable(String key, String why) {
		return "nolinger cannot read the socket table through netlink, as " + key + "=netlink asks: " + why
				+ ". Set " + key + "=auto to fall back to /proc where netlink is unavailable.";
	}

	static String unsupportedJunit(String jupiter, String platform, String found) {
		return "nolinger needs JUnit " + jupiter + " or later (JUnit Platform " + platform + " or later); this run has "
				+ found + ". Import a newer org.junit:junit-bom, or set nolinger.enabled=false to run without the check.";
	}

	static String invalidConfiguration(String key, String value, String expected) {
		return "Invalid value for " + key + ": '" + value + "'; expected " + expected + ".";
	}
}
