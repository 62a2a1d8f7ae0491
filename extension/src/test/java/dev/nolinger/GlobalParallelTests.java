/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * Global registration under parallel execution: no test is blamed for a concurrent test's
 * sockets. A leaky test is either caught (it ran with no other checked test alongside) or its
 * findings are reported as not judged. Writes the figures to {@code target/nolinger-parallel.txt}.
 */
class GlobalParallelTests {

	private static final int RUNS = 20;

	private static final int TRACED_RUNS = 5;

	/** Sockets the leaky fixtures left, closed after each run of the fixture class. */
	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void noCleanTestIsBlamedAndEveryLeakIsCaughtOrReportedNotJudged() throws IOException {
		int caught = 0;
		int notJudged = 0;
		int cleanNotJudged = 0;
		int classFailed = 0;
		for (int run = 0; run < RUNS; run++) {
			Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
			java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
			java.io.PrintStream original = System.out;
			System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
			boolean classFailedThisRun = false;
			int notJudgedThisRun = 0;
			List<Event> events = parallelRun(MixedTestCases.class);
			System.setOut(original);
			assertThat(printed.toString(StandardCharsets.UTF_8).split("nolinger: parallel execution is on\\.", -1))
				.as("run %d: said once what is judged and what is not", run).hasSize(2);
			LoopbackConnections.closeAll();
			for (Event event : events) {
				if (!event.getTestDescriptor().isTest()) {
					if (event.getType() == EventType.FINISHED && event.getTestDescriptor().getUniqueId().toString().endsWith("$MixedTestCases]")
							&& event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable()
								.filter(LingeringSocketsError.class::isInstance).isPresent()) {
						classFailedThisRun = true;
					}
					continue;
				}
				String id = event.getTestDescriptor().getUniqueId().toString();
				Outcome outcome = outcomes.computeIfAbsent(id, k -> new Outcome());
				if (event.getType() == EventType.REPORTING_ENTRY_PUBLISHED) {
					ReportEntry entry = event.getPayload(ReportEntry.class).orElseThrow();
					outcome.notJudged |= entry.getKeyValuePairs().containsKey("nolinger.notJudged");
				}
				else if (event.getType() == EventType.FINISHED) {
					TestExecutionResult result = event.getPayload(TestExecutionResult.class).orElseThrow();
					outcome.failure = result.getThrowable().orElse(null);
				}
			}
			assertThat(outcomes).hasSize(60);
			for (Map.Entry<String, Outcome> entry : outcomes.entrySet()) {
				boolean leaky = entry.getKey().contains(":leaks()]");
				Outcome outcome = entry.getValue();
				if (leaky) {
					assertThat(outcome.failure == null ? outcome.notJudged : outcome.failure instanceof LingeringSocketsError)
						.as("run %d: %s is caught or reported not judged", run, entry.getKey()).isTrue();
					if (outcome.failure != null) {
						caught++;
					}
					else {
						notJudged++;
						notJudgedThisRun++;
					}
				}
				else {
					assertThat(outcome.failure).as("run %d: clean %s", run, entry.getKey()).isNull();
					cleanNotJudged += outcome.notJudged ? 1 : 0;
				}
			}
			// Sockets no test could be judged for are the class's: its window holds only its own tests.
			assertThat(classFailedThisRun).as("run %d: the class fails when %d leaks were not judged", run, notJudgedThisRun)
				.isEqualTo(notJudgedThisRun > 0);
			classFailed += classFailedThisRun ? 1 : 0;
		}
		assertThat(caught + notJudged).isEqualTo(RUNS * 10);
		String figures = ("nolinger global parallel: runs=%d clean=%d clean-failed=0 clean-not-judged=%d leaky=%d caught=%d"
				+ " not-judged=%d class-failed=%d%n").formatted(RUNS, RUNS * 50, cleanNotJudged, RUNS * 10, caught, notJudged,
						classFailed);
		System.out.print(figures);
		Files.writeString(Path.of("target", "nolinger-parallel.txt"), figures, StandardCharsets.UTF_8);
	}

	/**
	 * Traced, a socket opened or accepted on a test's own thread during the test is proven that
	 * test's, so a leaky test fails for its own leak even while other checked tests run alongside;
	 * what other tests left is still only reported, and no clean test fails.
	 */
	@Test
	void tracedEveryLeakyTestFailsForItsOwnSocketsAndNoCleanTestFails() {
		int overlappedAndCaught = 0;
		LedgerEvents.startTracing();
		try {
			for (int run = 0; run < TRACED_RUNS; run++) {
				List<Event> events = parallelRun(TracedMixedTestCases.class);
				LoopbackConnections.closeAll();
				Map<String, Throwable> failures = new ConcurrentHashMap<>();
				Map<String, Boolean> notJudged = new ConcurrentHashMap<>();
				int tests = 0;
				for (Event event : events) {
					if (!event.getTestDescriptor().isTest()) {
						continue;
					}
					String id = event.getTestDescriptor().getUniqueId().toString();
					if (event.getType() == EventType.REPORTING_ENTRY_PUBLISHED
							&& event.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs().containsKey("nolinger.notJudged")) {
						notJudged.put(id, true);
					}
					else if (event.getType() == EventType.FINISHED) {
						tests++;
						event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable()
							.ifPresent(failure -> failures.put(id, failure));
					}
				}
				assertThat(tests).isEqualTo(30);
				for (Map.Entry<String, Throwable> failure : failures.entrySet()) {
					assertThat(failure.getKey()).as("run %d: only leaky tests fail", run).contains(":leaks()]");
					assertThat(failure.getValue()).isInstanceOf(LingeringSocketsError.class)
						.hasMessageContaining("CLOSE_WAIT  server end")
						.hasMessageContaining("accepted on thread")
						.hasMessageContaining("Fix: close the server end opened at GlobalParallelTests.java:");
					overlappedAndCaught += notJudged.containsKey(failure.getKey()) ? 1 : 0;
				}
				assertThat(failures).as("run %d: every leaky test fails for its own sockets", run).hasSize(5);
			}
		}
		finally {
			LedgerEvents.stopTracing();
		}
		// Every leaky test was caught; those that also reported other tests' sockets as not judged
		// prove the overlap was real.
		System.out.printf("nolinger global parallel, traced: runs=%d leaky=%d caught=%d caught-while-overlapped=%d%n",
				TRACED_RUNS, TRACED_RUNS * 5, TRACED_RUNS * 5, overlappedAndCaught);
		assertThat(overlappedAndCaught).as("leaky tests that ran alongside others and were still judged").isPositive();
	}

	private static List<Event> parallelRun(Class<?> fixture) {
		return EngineTestKit.engine("junit-jupiter")
			.configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
			.configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
			.configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
			.configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
			.configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
			.configurationParameter("nolinger.grace", "100ms")
			.selectors(selectClass(fixture))
			.execute()
			.allEvents()
			.list();
	}

	@Test
	void tracedATestFailedForItsClientEndNamesTheServerEndItsFixNeedsAndTheClassIsNotFailedAgainForIt() throws Exception {
		LedgerEvents.startTracing();
		try {
			List<Event> events = parallelRun(SharedServerTestCases.class);
			int failed = 0;
			int withOtherEnd = 0;
			for (Event event : events) {
				if (event.getType() != EventType.FINISHED) {
					continue;
				}
				Throwable failure = event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElse(null);
				if (!event.getTestDescriptor().isTest()) {
					assertThat(failure).as("the class, whose tests reported both ends of every connection").isNull();
					continue;
				}
				assertThat(failure).as("%s left its client end in FIN_WAIT2", event.getTestDescriptor().getDisplayName())
					.isInstanceOf(LingeringSocketsError.class);
				failed++;
				String message = failure.getMessage();
				if (!message.contains("\n  CLOSE_WAIT ")) {
					// other tests ran: the server end, accepted on the server's thread, was not judged; it is still named
					assertThat(message).contains("\n    its other end, not counted against this test: CLOSE_WAIT server end ");
					withOtherEnd++;
				}
				assertThat(message).as(message).containsPattern("\nFix: close the server end opened at GlobalParallelTests\\.java:\\d+ ");
			}
			assertThat(failed).isEqualTo(SharedServerTestCases.REPETITIONS);
			System.out.println("nolinger: shared server, " + withOtherEnd + " of " + failed
					+ " failures named a not-judged server end");
		}
		finally {
			LedgerEvents.stopTracing();
			SharedServerTestCases.stop();
		}
	}

	@Test
	void tracedASharedPoolStartedLazilyByOneTestNeverBlamesItForTheOthersSockets() throws Exception {
		LedgerEvents.startTracing();
		try {
			for (int run = 0; run < 3; run++) {
				int caught = 0;
				for (Event event : parallelRun(LazyPoolTestCases.class)) {
					if (event.getType() != EventType.FINISHED || !event.getTestDescriptor().isTest()) {
						continue;
					}
					Throwable failure = event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElse(null);
					String id = event.getTestDescriptor().getUniqueId().toString();
					if (id.contains(":clean()]")) {
						// the pool's threads carry the lineage of whichever test started them: never blame
						assertThat(failure).as("run %d: clean %s", run, id).isNull();
					}
					else if (failure != null) {
						assertThat(failure).isInstanceOf(LingeringSocketsError.class);
						caught++;
					}
				}
				LazyPoolTestCases.closeAll();
				System.out.println("nolinger: lazily started shared pool, run " + run + ": " + caught + " of "
						+ LazyPoolTestCases.LEAKS + " leaks caught, the rest not judged; no clean test failed");
			}
		}
		finally {
			LedgerEvents.stopTracing();
			LazyPoolTestCases.shutdown();
		}
	}

	private static final class Outcome {

		Throwable failure;

		boolean notJudged;
	}

	/** Unannotated: checked only through autodetection, like a suite under global registration. */
	static class MixedTestCases {

		@RepeatedTest(50)
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}

		@RepeatedTest(10)
		void leaks() {
			LoopbackConnections.serverNeverCloses();
		}
	}

	/**
	 * A server shared by the class, whose acceptor thread accepts every connection and never
	 * closes it, reported to the ledger on that thread: no test can prove the accepted ends its
	 * own while others run. Each test's client closes, on the test's thread.
	 */
	static class SharedServerTestCases {

		static final int REPETITIONS = 8;

		static volatile java.net.ServerSocket server;
		static volatile Thread acceptor;
		static final List<java.net.Socket> ACCEPTED = new java.util.concurrent.CopyOnWriteArrayList<>();

		@org.junit.jupiter.api.BeforeAll
		static void start() throws IOException {
			server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
			LedgerEvents.listening(server, (InetSocketAddress) server.getLocalSocketAddress());
			acceptor = new Thread(() -> {
				while (!server.isClosed()) {
					try {
						java.net.Socket accepted = server.accept();
						LedgerEvents.accepted(accepted, (InetSocketAddress) accepted.getLocalSocketAddress(),
								(InetSocketAddress) accepted.getRemoteSocketAddress());
						ACCEPTED.add(accepted);
					}
					catch (IOException closed) {
						return;
					}
				}
			}, "shared-acceptor");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		static void stop() throws Exception {
			if (server != null) {
				server.close();
				acceptor.join(5_000);
			}
			for (java.net.Socket accepted : ACCEPTED) {
				accepted.close();
			}
			ACCEPTED.clear();
		}

		@RepeatedTest(REPETITIONS)
		void leaks() throws Exception {
			java.net.Socket client = new java.net.Socket(server.getInetAddress(), server.getLocalPort());
			LedgerEvents.connected(client, (InetSocketAddress) client.getLocalSocketAddress(),
					(InetSocketAddress) client.getRemoteSocketAddress());
			long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
			while (ACCEPTED.stream().noneMatch(a -> a.getPort() == client.getLocalPort()) && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			client.close();
			LedgerEvents.closed(client);
		}
	}

	/**
	 * Every test connects through one pool that the first test to need it starts, the way shared
	 * clients are: its sockets are opened on the pool's threads, whose lineage names that first
	 * test. A clean test closes its connection; a leaky one leaves its client end in CLOSE_WAIT.
	 */
	static class LazyPoolTestCases {

		static final int LEAKS = 4;

		private static java.util.concurrent.ExecutorService pool;

		static final List<java.net.Socket> OPEN = new java.util.concurrent.CopyOnWriteArrayList<>();

		static synchronized java.util.concurrent.ExecutorService pool() {
			if (pool == null) {
				pool = java.util.concurrent.Executors.newFixedThreadPool(2, task -> {
					Thread thread = new Thread(task, "lazy-pool");
					thread.setDaemon(true);
					return thread;
				});
			}
			return pool;
		}

		static void closeAll() throws IOException {
			for (java.net.Socket socket : OPEN) {
				socket.close();
			}
			OPEN.clear();
		}

		static synchronized void shutdown() throws IOException {
			closeAll();
			if (pool != null) {
				pool.shutdownNow();
				pool = null;
			}
		}

		/** Connects on a pool thread, reported there, and accepts on the test's thread. */
		private static java.net.Socket[] connect(java.net.ServerSocket listener) throws Exception {
			java.net.Socket client = pool().submit(() -> {
				java.net.Socket socket = new java.net.Socket(listener.getInetAddress(), listener.getLocalPort());
				LedgerEvents.connected(socket, (InetSocketAddress) socket.getLocalSocketAddress(),
						(InetSocketAddress) socket.getRemoteSocketAddress());
				return socket;
			}).get(10, java.util.concurrent.TimeUnit.SECONDS);
			OPEN.add(client);
			java.net.Socket accepted = listener.accept();
			LedgerEvents.accepted(accepted, (InetSocketAddress) accepted.getLocalSocketAddress(),
					(InetSocketAddress) accepted.getRemoteSocketAddress());
			return new java.net.Socket[] { client, accepted };
		}

		@RepeatedTest(12)
		void clean() throws Exception {
			try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
				java.net.Socket[] ends = connect(listener);
				pool().submit(() -> {
					ends[0].close();
					LedgerEvents.closed(ends[0]);
					return null;
				}).get(10, java.util.concurrent.TimeUnit.SECONDS);
				ends[1].close();
				LedgerEvents.closed(ends[1]);
			}
		}

		@RepeatedTest(LEAKS)
		void leaks() throws Exception {
			try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
				java.net.Socket[] ends = connect(listener);
				ends[1].close();
				LedgerEvents.closed(ends[1]);
			}
		}
	}

	/**
	 * Like {@link MixedTestCases}, with each socket reported to the ledger as the agent's hooks
	 * report it: on the thread that connected, accepted or closed it.
	 */
	static class TracedMixedTestCases {

		@RepeatedTest(25)
		void clean() {
			LoopbackConnections.Pair pair = traced(LoopbackConnections.connect());
			for (AutoCloseable end : List.of(pair.client(), pair.accepted(), pair.server())) {
				LoopbackConnections.close(end);
				LedgerEvents.closed(end);
			}
		}

		@RepeatedTest(5)
		void leaks() {
			LoopbackConnections.Pair pair = traced(LoopbackConnections.connect());
			LoopbackConnections.close(pair.client());
			LedgerEvents.closed(pair.client());
		}

		private static LoopbackConnections.Pair traced(LoopbackConnections.Pair pair) {
			LedgerEvents.listening(pair.server(), (InetSocketAddress) pair.server().getLocalSocketAddress());
			LedgerEvents.connected(pair.client(), (InetSocketAddress) pair.client().getLocalSocketAddress(),
					(InetSocketAddress) pair.client().getRemoteSocketAddress());
			LedgerEvents.accepted(pair.accepted(), (InetSocketAddress) pair.accepted().getLocalSocketAddress(),
					(InetSocketAddress) pair.accepted().getRemoteSocketAddress());
			return pair;
		}
	}
}
