/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.nolinger.TcpState;
import org.awaitility.Awaitility;

/**
 * The samples' own look at {@code /proc/net/tcp} and {@code tcp6}, to establish and check a
 * fixture's preconditions: that a leak has settled into its lingering states, or that IPv4-only
 * sockets are listed in {@code tcp}. Independent of nolinger's parser on purpose, and matching on
 * ports only, which on loopback name one connection end.
 */
final class ProcNetTcp {

	private static final Path PROC_NET = Path.of("/proc/net");

	private static final Duration POLL_INTERVAL = Duration.ofMillis(5);

	/** One line: which file listed it, its ports, state and inode. */
	record Entry(String file, int localPort, int remotePort, TcpState state, long inode) {
	}

	private ProcNetTcp() {
	}

	static List<Entry> read() throws IOException {
		List<Entry> entries = new ArrayList<>();
		for (String file : List.of("tcp", "tcp6")) {
			List<String> lines = Files.readAllLines(PROC_NET.resolve(file));
			for (String line : lines.subList(1, lines.size())) {
				String[] fields = line.strip().split("\\s+");
				entries.add(new Entry(file, port(fields[1]), port(fields[2]),
						TcpState.fromCode(Integer.parseInt(fields[3], 16)).orElseThrow(), Long.parseLong(fields[9])));
			}
		}
		return entries;
	}

	/** The connection end with this local and remote port, if the table lists it. */
	static Optional<Entry> find(InetSocketAddress local, InetSocketAddress remote) throws IOException {
		return read().stream()
			.filter(e -> e.localPort() == local.getPort() && e.remotePort() == remote.getPort())
			.findFirst();
	}

	/** Asserts that the table lists the connection end in that file: {@code tcp} or {@code tcp6}. */
	static void assertListedIn(String file, InetSocketAddress local, InetSocketAddress remote) throws IOException {
		assertThat(find(local, remote)).as("connection end %s -> %s", local, remote)
			.get()
			.extracting(Entry::file)
			.as("file listing %s -> %s", local, remote)
			.isEqualTo(file);
	}

	/** The state of the connection end, if the table lists it. */
	static Optional<TcpState> stateOf(InetSocketAddress local, InetSocketAddress remote) throws IOException {
		return find(local, remote).map(Entry::state);
	}

	/** Whether a socket listens on that local port. */
	static boolean isListening(InetSocketAddress local) throws IOException {
		return read().stream().anyMatch(e -> e.localPort() == local.getPort() && e.state() == TcpState.LISTEN);
	}

	/** Waits, at most {@link Loopback#IO_TIMEOUT}, until the connection end is listed in the state. */
	static Entry awaitState(InetSocketAddress local, InetSocketAddress remote, TcpState state) {
		return Awaitility.await("socket " + local + " -> " + remote + " in " + state)
			.atMost(Loopback.IO_TIMEOUT)
			.pollDelay(Duration.ZERO)
			.pollInterval(POLL_INTERVAL)
			.pollInSameThread()
			.until(() -> find(local, remote), entry -> entry.filter(e -> e.state() == state).isPresent())
			.orElseThrow();
	}

	private static int port(String hexAddressAndPort) {
		return Integer.parseInt(hexAddressAndPort.substring(hexAddressAndPort.indexOf(':') + 1), 16);
	}
}
