/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

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

	/**
	 * The failure message:
	 *
	 * <pre>
	 * 2 sockets lingering after Foo.bar() (tolerance 0):
	 *   CLOSE_WAIT  server end  127.0.0.1:40000 -&gt; 127.0.0.1:50000  rule 1: inode 9 is an open fd of this JVM  other end: FIN_WAIT2, this JVM's
	 *   ...
	 * Hints:
	 *   CLOSE_WAIT: ...
	 * </pre>
	 */
	static String lingering(String testName, int tolerance, List<Finding> findings) {
		return lingering(testName, tolerance, findings, 0, "");
	}

	/** The failure message, with a note on the sockets the baseline file already allows. */
	static String lingering(String testName, int tolerance, List<Finding> findings, int inBaseline, String baseline) {
		List<Finding> sorted = new ArrayList<>(findings);
		sorted.sort(Comparator.comparing(Finding::socket, TcpSocket.BOTH_ENDS_TOGETHER));
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
		MessageTable.appendAligned(message, rows);
		appendHints(message, sorted.stream().map(f -> f.socket().state()).toList(), THIS_JVM);
		if (inBaseline > 0) {
			message.append("\nNot counted: ").append(inBaseline).append(inBaseline == 1 ? " more socket" : " more sockets")
				.append(" that the baseline ").append(baseline).append(" allows this test.");
		}
		return message.toString();
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
		};
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
			case CLOSE_WAIT -> "the peer closed, and " + holder + " never called close() on its end.";
			case FIN_WAIT2 -> holder + " closed (or called shutdownOutput()), and the peer never closed its end.";
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

	static String invalidConfiguration(String key, String value, String expected) {
		return "Invalid value for " + key + ": '" + value + "'; expected " + expected + ".";
	}
}
