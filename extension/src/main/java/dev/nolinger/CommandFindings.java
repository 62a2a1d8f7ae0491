/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What the diagnostic command found: the lingering sockets of the whole network namespace that
 * match its options, each with its owner and age.
 *
 * @param options what was asked for
 * @param rows the sockets, both ends of a connection next to each other
 * @param commandLines the command line of every process a row names
 * @param finTimeoutSeconds the system's {@code tcp_fin_timeout}, when readable
 * @param unreadableProcesses how many processes' fd tables could not be read
 */
record CommandFindings(CommandOptions options, List<Row> rows, Map<Long, String> commandLines,
		OptionalInt finTimeoutSeconds, int unreadableProcesses) {

	/**
	 * One lingering socket.
	 *
	 * @param socket the line of the socket table
	 * @param owner who holds it, or why that is unknown
	 * @param ageSeconds how long it has been in its state, when the kernel's timer tells
	 */
	record Row(TcpSocket socket, CommandSocketOwner owner, OptionalLong ageSeconds) {
	}

	/** One read of the table, one scan of the processes: a diagnostic needs no confirming re-read. */
	static CommandFindings collect(SocketTable table, CommandOptions options, Path procRoot)
			throws SocketTableException {
		List<TcpSocket> candidates = new ArrayList<>();
		for (TcpSocket socket : table.sockets()) {
			if (options.states().contains(socket.state()) && matchesPort(socket, options.port())) {
				candidates.add(socket);
			}
		}
		CommandProcesses processes = CommandProcesses.scan(procRoot, CommandSocketOwner.inodesToScan(candidates, table));
		OptionalInt finTimeout = CommandSocketAge.finTimeout(procRoot);
		List<Row> rows = new ArrayList<>();
		Map<Long, String> commandLines = new TreeMap<>();
		for (TcpSocket socket : candidates) {
			CommandSocketOwner owner = CommandSocketOwner.of(socket, table, processes);
			if (options.pid().isPresent() && !owner.names(options.pid().getAsLong())) {
				continue;
			}
			rows.add(new Row(socket, owner, CommandSocketAge.of(socket, finTimeout)));
			for (long pid : owner.pids()) {
				commandLines.computeIfAbsent(pid, processes::commandLine);
			}
		}
		rows.sort(Comparator.comparing(Row::socket, TcpSocket.BOTH_ENDS_TOGETHER)
			.thenComparing(r -> r.socket().tuple().toString()));
		return new CommandFindings(options, List.copyOf(rows), Collections.unmodifiableMap(commandLines), finTimeout,
				processes.unreadableProcesses());
	}

	private static boolean matchesPort(TcpSocket socket, OptionalInt port) {
		return port.isEmpty() || socket.local().port() == port.getAsInt() || socket.remote().port() == port.getAsInt();
	}
}
