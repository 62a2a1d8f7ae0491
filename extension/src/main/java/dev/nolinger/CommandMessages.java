/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Everything the diagnostic command prints, built in one place. */
final class CommandMessages {

	static final String USAGE_LINE = "Usage: java -jar nolinger-junit.jar [--port N] [--pid N] [--states STATE,...] [--json] [--help]";

	/** Commands run from a terminal are cut here; JSON always has the whole command line. */
	static final int MAX_COMMAND_TEXT = 60;

	private CommandMessages() {
	}

	static String help() {
		return USAGE_LINE + "\n"
				+ "\n"
				+ "Lists the TCP sockets in this network namespace that linger in FIN_WAIT2, CLOSE_WAIT or LAST_ACK:\n"
				+ "each one's state, local -> remote, age when the kernel's timer tells it, owning process\n"
				+ "(pid and command line, from /proc/*/fd), and what the state means.\n"
				+ "\n"
				+ "Options:\n"
				+ "  --port N            only sockets whose local or remote port is N\n"
				+ "  --pid N             only sockets process N holds, and orphaned ones whose peer or\n"
				+ "                      listener it holds\n"
				+ "  --states A,B        the states to list, comma-separated, in any case (default\n"
				+ "                      FIN_WAIT2,CLOSE_WAIT,LAST_ACK): ESTABLISHED, SYN_SENT, SYN_RECV,\n"
				+ "                      FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING\n"
				+ "  --json              print JSON instead of a table\n"
				+ "  -h, --help          print this help\n"
				+ "\n"
				+ "Exit status: 0 when no socket lingers, 1 when some do, 2 for invalid options,\n"
				+ "3 when the socket table cannot be read (no /proc/net/tcp: not Linux).\n"
				+ "Other users' processes show as \"unknown (... permission denied)\" unless run as root.";
	}

	static String invalidOptions(String problem) {
		return "nolinger: " + problem + "\n" + USAGE_LINE;
	}

	static String unknownOption(String option) {
		return "unknown option '" + option + "'";
	}

	static String unexpectedArgument(String argument) {
		return "unexpected argument '" + argument + "'; the command takes options only";
	}

	static String optionNeedsValue(String option) {
		return option + " needs a value";
	}

	static String optionTakesNoValue(String option) {
		return option + " takes no value";
	}

	static String optionRepeated(String option) {
		return option + " given more than once";
	}

	static String invalidPort(String value) {
		return "--port: '" + value + "' is not a port; expected a number from 1 to 65535";
	}

	static String invalidPid(String value) {
		return "--pid: '" + value + "' is not a process id; expected a positive number";
	}

	static String emptyState(String value) {
		return "--states: empty state name in '" + value + "'";
	}

	static String unknownState(String name) {
		return "--states: unknown state '" + name + "'; expected comma-separated names from "
				+ Stream.of(TcpState.values()).map(TcpState::name).collect(Collectors.joining(", "));
	}

	static String noSocketTable(String looked) {
		return "nolinger: " + looked + " does not exist. This command reads Linux's /proc, so it runs on Linux only"
				+ " (in a container it sees the container's network namespace).";
	}

	static String unreadableTable(SocketTableException cause) {
		return "nolinger: " + cause.getMessage();
	}

	/** Who holds the socket, in the command's messages. */
	static final String OWNING_PROCESS = "the owning process";

	/** The test failures' hint, said of whichever process owns the socket rather than this JVM. */
	static String hint(TcpState state) {
		return Messages.hint(state, OWNING_PROCESS);
	}

	/**
	 * The table:
	 *
	 * <pre>
	 * 2 sockets lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK:
	 *   CLOSE_WAIT  127.0.0.1:8080 -&gt; 127.0.0.1:50000  age unknown  pid 42 (java -jar app.jar)
	 *   FIN_WAIT2   127.0.0.1:50000 -&gt; 127.0.0.1:8080  age ~3s      orphan; peer is pid 42 (java -jar app.jar)
	 * Hints:
	 *   FIN_WAIT2: ...
	 * </pre>
	 */
	static String text(CommandFindings report) {
		String scope = scope(report.options());
		if (report.rows().isEmpty()) {
			return "No sockets lingering in " + scope + ".";
		}
		List<String[]> rows = new ArrayList<>();
		boolean unattributed = false;
		for (CommandFindings.Row row : report.rows()) {
			TcpSocket socket = row.socket();
			rows.add(new String[] { socket.state().name(), socket.tuple().toString(), age(row),
					MessageText.printable(owner(row, report, MAX_COMMAND_TEXT)) });
			unattributed |= row.owner().pids().isEmpty();
		}
		int count = report.rows().size();
		StringBuilder text = new StringBuilder();
		text.append(count).append(count == 1 ? " socket" : " sockets").append(" lingering in ").append(scope)
				.append(':');
		MessageTable.appendAligned(text, rows);
		Messages.appendHints(text, report.rows().stream().map(r -> r.socket().state()).toList(), OWNING_PROCESS);
		if (unattributed && report.unreadableProcesses() > 0) {
			text.append("\n").append(unreadableProcesses(report.unreadableProcesses()));
		}
		return text.toString();
	}

	static String unreadableProcesses(int count) {
		return "The open files of " + count + (count == 1 ? " process" : " processes")
				+ " could not be read (permission denied); run as root to see every owner.";
	}

	/** "FIN_WAIT2, CLOSE_WAIT or LAST_ACK on port 8080 for pid 42". */
	static String scope(CommandOptions options) {
		StringBuilder scope = new StringBuilder();
		Iterator<TcpState> states = options.states().iterator();
		int left = options.states().size();
		while (states.hasNext()) {
			scope.append(states.next());
			left--;
			scope.append(left > 1 ? ", " : left == 1 ? " or " : "");
		}
		options.port().ifPresent(port -> scope.append(" on port ").append(port));
		options.pid().ifPresent(pid -> scope.append(" for pid ").append(pid));
		return scope.toString();
	}

	private static String age(CommandFindings.Row row) {
		return row.ageSeconds().isPresent() ? "age ~" + row.ageSeconds().getAsLong() + "s" : "age unknown";
	}

	/** The owner column; {@code maxCommand} cuts command lines, 0 keeps them whole. */
	static String owner(CommandFindings.Row row, CommandFindings report, int maxCommand) {
		CommandSocketOwner owner = row.owner();
		return switch (owner.kind()) {
			case PROCESS -> processes(owner, report, maxCommand);
			case ORPHAN_PEER -> "orphan; peer is " + processes(owner, report, maxCommand);
			case ORPHAN_LISTENER -> "orphan; listener " + owner.evidence().local() + " is " + processes(owner, report, maxCommand);
			case ORPHAN -> "orphan; no visible process holds its peer or listener";
			case PERMISSION_DENIED -> "unknown (uid " + row.socket().uid() + "; permission denied)";
			case NOT_FOUND -> "unknown (no visible process holds inode " + row.socket().inode() + ")";
		};
	}

	private static String processes(CommandSocketOwner owner, CommandFindings report, int maxCommand) {
		long first = owner.pids().get(0);
		String command = report.commandLines().getOrDefault(first, "");
		if (maxCommand > 0 && command.length() > maxCommand) {
			command = command.substring(0, maxCommand - 3) + "...";
		}
		String text = "pid " + first + " (" + command + ")";
		if (owner.pids().size() > 1) {
			text += ", also held by pid " + owner.pids().subList(1, owner.pids().size()).stream()
				.map(String::valueOf).collect(Collectors.joining(", "));
		}
		return text;
	}

	/**
	 * The JSON document: one object, one socket per line. Hand-written, because the jar's only
	 * runtime dependencies are the JUnit API and Awaitility.
	 */
	static String json(CommandFindings report) {
		CommandOptions options = report.options();
		StringBuilder json = new StringBuilder("{\n");
		json.append("  \"states\": [")
				.append(options.states().stream().map(s -> MessageText.json(s.name())).collect(Collectors.joining(", ")))
				.append("],\n");
		json.append("  \"port\": ").append(options.port().isPresent() ? String.valueOf(options.port().getAsInt()) : "null")
				.append(",\n");
		json.append("  \"pid\": ").append(options.pid().isPresent() ? String.valueOf(options.pid().getAsLong()) : "null")
				.append(",\n");
		json.append("  \"tcpFinTimeoutSeconds\": ").append(report.finTimeoutSeconds().isPresent()
				? String.valueOf(report.finTimeoutSeconds().getAsInt()) : "null").append(",\n");
		json.append("  \"unreadableProcesses\": ").append(report.unreadableProcesses()).append(",\n");
		json.append("  \"sockets\": [");
		String separator = "\n    ";
		for (CommandFindings.Row row : report.rows()) {
			json.append(separator);
			separator = ",\n    ";
			appendJson(json, row, report);
		}
		json.append(report.rows().isEmpty() ? "]\n}" : "\n  ]\n}");
		return json.toString();
	}

	private static void appendJson(StringBuilder json, CommandFindings.Row row, CommandFindings report) {
		TcpSocket socket = row.socket();
		CommandSocketOwner owner = row.owner();
		json.append("{\"state\": ").append(MessageText.json(socket.state().name()))
			.append(", \"local\": ").append(MessageText.json(socket.local().toString()))
			.append(", \"remote\": ").append(MessageText.json(socket.remote().toString()))
			.append(", \"localPort\": ").append(socket.local().port())
			.append(", \"remotePort\": ").append(socket.remote().port())
			.append(", \"inode\": ").append(socket.inode())
			.append(", \"uid\": ").append(socket.uid())
			.append(", \"owner\": {\"kind\": ").append(MessageText.json(owner.kind().name().toLowerCase(Locale.ROOT).replace('_', '-')))
			.append(", \"pids\": [").append(owner.pids().stream().map(String::valueOf).collect(Collectors.joining(", ")))
			.append("], \"command\": ")
			.append(owner.pids().isEmpty() ? "null" : MessageText.json(report.commandLines().getOrDefault(owner.pids().get(0), "")))
			.append(", \"text\": ").append(MessageText.json(owner(row, report, 0)))
			.append("}, \"ageSeconds\": ")
			.append(row.ageSeconds().isPresent() ? String.valueOf(row.ageSeconds().getAsLong()) : "null")
			.append(", \"hint\": ").append(MessageText.json(hint(socket.state())))
			.append('}');
	}
}
