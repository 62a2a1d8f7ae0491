/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where the time of one clean test's check goes, in the JVM shapes users have, on whatever Java
 * runs it (the default source: netlink through FFM on Java 22+ with native access, through the JNI
 * library on Java 17 to 21): the whole check (snapshot before, findings after), untraced and as a
 * traced JVM runs it when nothing opened or closed a socket since the last test (the read after one
 * test then serves before the next: {@link CheckReuse}), and its parts: one
 * scan of this JVM's fds (a listing of {@code /proc/self/fd} and one {@code statx} per fd), one read
 * of this JVM's own sockets by fd and exact lookup, one whole-table read, and one {@code statx} of
 * an fd, which the scan makes once per fd: the floor of a check. Medians of
 * {@value #ROUNDS} rounds of {@value #CHECKS} checks, in µs.
 *
 * <p>Shapes: holds no socket (a Surefire fork); holds one established link to another process (a
 * child JVM: Surefire's TCP fork node, a Gradle worker); that link and 10 live loopback connections
 * (both ends); that link and a listener (rule 3 needs the whole table). Argument: other sockets
 * in the table, filled by {@link LoopbackTable}.
 */
public final class CheckCostMain {

	static final int ROUNDS = 7;

	static final int CHECKS = 500;

	private CheckCostMain() {
	}

	public static void main(String[] args) throws Exception {
		int others = Integer.parseInt(args[0]);
		Set<TcpState> states = CheckConfiguration.DEFAULT_STATES;
		SocketTableSource source = SocketTableSources.select(CheckConfiguration.from(key -> Optional.empty()));
		OwnershipInodeSource fds = SocketTableSources.fds(source);
		String java = "Java " + Runtime.version().feature();
		LoopbackTable table = LoopbackTable.fill(others);
		try {
			List<AutoCloseable> held = new ArrayList<>();
			row(java, source, fds, states, others, "holds no socket");
			Process peer = peer();
			try {
				Socket link = new Socket();
				held.add(link);
				link.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port(peer)), 5_000);
				// The peer JVM has just started: let its start-up work end before measuring beside it.
				TimeUnit.SECONDS.sleep(2);
				row(java, source, fds, states, others, "a link to another process");
				try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
					for (int i = 0; i < 10; i++) {
						Socket client = new Socket();
						held.add(client);
						client.connect(listener.getLocalSocketAddress(), 5_000);
						held.add(listener.accept());
					}
				}
				row(java, source, fds, states, others, "the link and 10 live connections");
				held.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
				row(java, source, fds, states, others, "the link and a listener (rule 3)");
			}
			finally {
				for (AutoCloseable socket : held) {
					socket.close();
				}
				peer.getOutputStream().close();
				if (!peer.waitFor(10, TimeUnit.SECONDS)) {
					peer.destroyForcibly();
				}
			}
		}
		finally {
			table.close();
		}
	}

	private static void row(String java, SocketTableSource source, OwnershipInodeSource fds, Set<TcpState> states,
			int others, String shape) throws Exception {
		Check check = new Check(source, fds);
		// As a traced JVM's check runs when the ledger counts no socket opened or closed between two tests.
		Check traced = new Check(source, fds, () -> OptionalLong.of(0), false);
		SocketTableProbe probe = source instanceof SocketTableProbe p ? p : null;
		List<Double> whole = new ArrayList<>();
		List<Double> wholeTraced = new ArrayList<>();
		List<Double> scans = new ArrayList<>();
		List<Double> own = new ArrayList<>();
		List<Double> reads = new ArrayList<>();
		List<Double> statx = new ArrayList<>();
		// The floor of the fd scan: each fd costs one statx, and no check can know what an fd holds for less.
		SocketTableCalls calls = SocketTableSources.calls();
		Map<Long, Integer> held = fds.socketFds();
		for (int round = 0; round < ROUNDS; round++) {
			long start = System.nanoTime();
			for (int i = 0; i < CHECKS; i++) {
				check.findings(check.snapshot(states), states);
			}
			whole.add(micros(start, CHECKS));
			start = System.nanoTime();
			for (int i = 0; i < CHECKS; i++) {
				traced.findings(traced.snapshot(states), states);
			}
			wholeTraced.add(micros(start, CHECKS));
			start = System.nanoTime();
			for (int i = 0; i < CHECKS; i++) {
				held = fds.socketFds();
			}
			scans.add(micros(start, CHECKS));
			if (probe != null) {
				start = System.nanoTime();
				for (int i = 0; i < CHECKS; i++) {
					probe.ownSockets(held, List.of());
				}
				own.add(micros(start, CHECKS));
			}
			start = System.nanoTime();
			for (int i = 0; i < CHECKS / 10; i++) {
				source.read(Check.observedStates(states));
			}
			reads.add(micros(start, CHECKS / 10));
			start = System.nanoTime();
			for (int i = 0; i < CHECKS; i++) {
				calls.socketInode(0);
			}
			statx.add(micros(start, CHECKS));
		}
		System.out.printf(Locale.ROOT, "| %s | %s | %s | %,d | %d | %.1f | %.1f | %.1f | %.2f | %s | %.1f |%n", java, source.describe(),
				shape, others, new java.io.File("/proc/self/fd").list().length, SurefireSuiteMain.median(whole),
				SurefireSuiteMain.median(wholeTraced),
				SurefireSuiteMain.median(scans), SurefireSuiteMain.median(statx), own.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f", SurefireSuiteMain.median(own)),
				SurefireSuiteMain.median(reads));
	}

	private static double micros(long startNanos, int count) {
		return (System.nanoTime() - startNanos) / 1e3 / count;
	}

	/** A child JVM that listens, accepts one connection and holds it until its stdin closes. */
	private static Process peer() throws Exception {
		String java = ProcessHandle.current().info().command().orElseThrow();
		return new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"), LinkPeer.class.getName())
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
	}

	private static int port(Process peer) throws Exception {
		BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
		return Integer.parseInt(out.readLine().substring("listening ".length()));
	}

	/** The other process of the link. */
	public static final class LinkPeer {

		private LinkPeer() {
		}

		public static void main(String[] args) throws Exception {
			try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
				System.out.println("listening " + listener.getLocalPort());
				System.out.flush();
				Socket kept = listener.accept();
				while (System.in.read() >= 0) {
					// held until the parent closes stdin or exits
				}
				kept.close();
			}
		}
	}
}
