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
						.as("run %d: %s is caught or reported not judged; it ended with %s", run, entry.getKey(),
								outcome.failure == null ? "no failure" : outcome.failure)
						.isTrue();
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

	private static List<Event> parallelRun(Class<?>... fixtures) {
		return EngineTestKit.engine("junit-jupiter")
			.configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
			.configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
			.configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
			.configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
			.configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
			.configurationParameter("nolinger.grace", "100ms")
			.selectors(java.util.Arrays.stream(fixtures).map(fixture -> selectClass(fixture))
				.toArray(org.junit.platform.engine.DiscoverySelector[]::new))
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

	/**
	 * Traced, a socket opened on a thread the test's own code made, and joined, is proven that
	 * test's even while others run alongside: every leaky test fails for its own client end, with
	 * the line that made the thread, and no other test's socket is in its message; no clean test
	 * fails.
	 */
	@Test
	void tracedATestsOwnShortLivedThreadThatLeaksFailsThatTestWhileOthersRun() {
		int overlappedAndCaught = 0;
		LedgerEvents.startTracing();
		try {
			for (int run = 0; run < TRACED_RUNS; run++) {
				OwnThreadTestCases.PORTS.clear();
				Map<String, Throwable> failures = new ConcurrentHashMap<>();
				Map<String, Boolean> notJudged = new ConcurrentHashMap<>();
				collect(parallelRun(OwnThreadTestCases.class), failures, notJudged);
				LoopbackConnections.closeAll();
				for (Map.Entry<String, Throwable> failure : failures.entrySet()) {
					assertThat(failure.getValue()).isInstanceOf(LingeringSocketsError.class);
					overlappedAndCaught += notJudged.containsKey(failure.getKey()) ? 1 : 0;
					if (failure.getKey().contains("[test-template:serverThreadLeaks(")) {
						assertThat(failure.getValue().getMessage()).as("run %d", run)
							.containsPattern("\n  CLOSE_WAIT  server end  127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:\\d+  rule 1: ")
							.contains("\n    accepted on thread \"own-acceptor\" by listener 127.0.0.1:")
							.contains("\n    thread \"own-acceptor\" was started during OwnThreadTestCases.serverThreadLeaks() at"
									+ " GlobalParallelTests.java:" + LINES.get("acceptor") + "\n")
							.doesNotContain("not counted against this test");
						continue;
					}
					assertThat(failure.getKey()).as("run %d: only leaky tests fail", run).contains("[test-template:leaks(");
					String repetition = failure.getKey().replaceAll(".*\\[test-template-invocation:#(\\d+)\\]$", "$1");
					int port = OwnThreadTestCases.PORTS.get("leaks#" + repetition);
					String message = failure.getValue().getMessage()
						.replaceAll("127\\.0\\.0\\.1:" + port + "\\b", "127.0.0.1:LISTENER")
						.replaceAll("127\\.0\\.0\\.1:\\d+", "127.0.0.1:PORT")
						.replaceAll("inode \\d+ ", "inode INODE ")
						.replaceAll("ForkJoinPool-\\d+-worker-\\d+", "WORKER");
					// The columns' width follows the longest inode and port, whose digits vary: one gap stands for any.
					assertThat(message.replaceAll("(?<=\\S) {2,}", "  ")).as("run %d", run)
						.isEqualTo(OwnThreadTestCases.expectedFailure(repetition).replaceAll("(?<=\\S) {2,}", "  "));
				}
				assertThat(failures).as("run %d: every leaky test fails for its own sockets", run)
					.hasSize(2 * OwnThreadTestCases.LEAKS);
			}
		}
		finally {
			LedgerEvents.stopTracing();
			LoopbackConnections.closeAll();
		}
		System.out.printf("nolinger global parallel, own threads: runs=%d leaky=%d caught=%d caught-while-overlapped=%d%n",
				TRACED_RUNS, TRACED_RUNS * 2 * OwnThreadTestCases.LEAKS, TRACED_RUNS * 2 * OwnThreadTestCases.LEAKS,
				overlappedAndCaught);
		assertThat(overlappedAndCaught).as("leaky tests that ran alongside others and were still judged").isPositive();
	}

	/**
	 * Traced, a thread the test made that is still alive at the check proves nothing: it might
	 * go on serving others. Its leak is caught only when no other test ran alongside, and
	 * otherwise reported not judged; no clean test fails.
	 */
	@Test
	void tracedAThreadStillAliveAtTheCheckProvesNothing() throws Exception {
		int notJudged = 0;
		LedgerEvents.startTracing();
		try {
			for (int run = 0; run < 3; run++) {
				Map<String, Throwable> failures = new ConcurrentHashMap<>();
				Map<String, Boolean> notJudgedTests = new ConcurrentHashMap<>();
				collect(parallelRun(LiveThreadTestCases.class), failures, notJudgedTests);
				LiveThreadTestCases.release();
				LoopbackConnections.closeAll();
				for (String failed : failures.keySet()) {
					assertThat(failed).as("run %d: only leaky tests fail", run).contains("[test-template:leaks(");
					assertThat(notJudgedTests).as("run %d: %s failed although others ran alongside", run, failed)
						.doesNotContainKey(failed);
				}
				notJudged += (int) notJudgedTests.keySet().stream().filter(id -> id.contains("[test-template:leaks(")
						&& !failures.containsKey(id)).count();
			}
		}
		finally {
			LedgerEvents.stopTracing();
			LiveThreadTestCases.release();
			LoopbackConnections.closeAll();
		}
		assertThat(notJudged).as("leaks on a live thread, reported not judged while others ran").isPositive();
	}

	/**
	 * Traced, sockets opened through {@code CompletableFuture.supplyAsync} (the common
	 * {@code ForkJoinPool}, or on a small machine a thread per task) and through a static executor
	 * that one test creates lazily and whose idle threads end within a test never blame a test for
	 * another's: a failure names only its own listener, and no clean test fails.
	 */
	@Test
	void tracedSharedPoolsWhoseThreadsEndWithinATestNeverBlameAnother() {
		int notJudged = 0;
		LedgerEvents.startTracing();
		try {
			for (int run = 0; run < 3; run++) {
				SharedPoolTestCases.PORTS.clear();
				Map<String, Throwable> failures = new ConcurrentHashMap<>();
				Map<String, Boolean> notJudgedTests = new ConcurrentHashMap<>();
				collect(parallelRun(SharedPoolTestCases.class), failures, notJudgedTests);
				notJudged += (int) notJudgedTests.keySet().stream().filter(id -> id.contains("Leaks(")
						&& !failures.containsKey(id)).count();
				LoopbackConnections.closeAll();
				for (Map.Entry<String, Throwable> failure : failures.entrySet()) {
					String id = failure.getKey();
					assertThat(id).as("run %d: only leaky tests fail", run).contains("Leaks(");
					assertThat(failure.getValue()).isInstanceOf(LingeringSocketsError.class);
					String method = id.replaceAll(".*\\[test-template:(\\w+)\\(.*", "$1");
					String repetition = id.replaceAll(".*\\[test-template-invocation:#(\\d+)\\]$", "$1");
					int own = SharedPoolTestCases.PORTS.get(method + "#" + repetition);
					// Every row is a connection to this test's own listener.
					java.util.regex.Matcher row = java.util.regex.Pattern
						.compile("(?m)^  \\S+\\s+(?:client|server) end\\s+127\\.0\\.0\\.1:(\\d+) -> 127\\.0\\.0\\.1:(\\d+)")
						.matcher(failure.getValue().getMessage());
					int rows = 0;
					while (row.find()) {
						rows++;
						assertThat(List.of(Integer.parseInt(row.group(1)), Integer.parseInt(row.group(2))))
							.as("run %d: %s fails only for connections to its own listener", run, id).contains(own);
					}
					assertThat(rows).isPositive();
				}
				System.out.println("nolinger: shared pools, run " + run + ": " + failures.size() + " of "
						+ SharedPoolTestCases.LEAKS + " leaks caught, the rest not judged; no clean test failed");
			}
		}
		finally {
			LedgerEvents.stopTracing();
			LoopbackConnections.closeAll();
			SharedPoolTestCases.shutdown();
		}
		assertThat(notJudged).as("leaks on pool threads, reported not judged while others ran").isPositive();
	}

	/**
	 * Traced, the same holds for a class: a socket a thread made by its {@code @BeforeAll} code
	 * opened, which ended, fails the class container although another class ran alongside, and
	 * only that class; the other class's socket is reported not judged on it. (The server end,
	 * accepted on the class's own thread, is not proven: the ledger registers test threads only.)
	 */
	@Test
	void tracedAClassFixturesOwnShortLivedThreadThatLeaksFailsThatClassWhileAnotherRuns() {
		int overlapped = 0;
		LedgerEvents.startTracing();
		try {
			for (int run = 0; run < 3; run++) {
				Map<String, Throwable> failures = new ConcurrentHashMap<>();
				Map<String, Boolean> notJudged = new ConcurrentHashMap<>();
				for (Event event : parallelRun(FixtureThreadOneTestCases.class, FixtureThreadTwoTestCases.class)) {
					String id = event.getTestDescriptor().getUniqueId().toString();
					if (event.getType() == EventType.REPORTING_ENTRY_PUBLISHED && !event.getTestDescriptor().isTest()
							&& event.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs().containsKey("nolinger.notJudged")) {
						notJudged.put(id, true);
					}
					else if (event.getType() == EventType.FINISHED) {
						event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable()
							.ifPresent(failure -> failures.put(id, failure));
					}
				}
				LoopbackConnections.closeAll();
				assertThat(failures.keySet()).as("run %d: the two classes fail, and nothing else", run).containsExactlyInAnyOrder(
						"[engine:junit-jupiter]/[class:" + FixtureThreadOneTestCases.class.getName() + "]",
						"[engine:junit-jupiter]/[class:" + FixtureThreadTwoTestCases.class.getName() + "]");
				for (Class<?> fixture : List.of(FixtureThreadOneTestCases.class, FixtureThreadTwoTestCases.class)) {
					String name = fixture.getSimpleName();
					String id = "[engine:junit-jupiter]/[class:" + fixture.getName() + "]";
					assertThat(failures.get(id)).isInstanceOf(LingeringSocketsError.class)
						.hasMessageStartingWith("1 socket lingering after class GlobalParallelTests." + name + " (tolerance 0):\n"
								+ "  CLOSE_WAIT  client end  ")
						.hasMessageContaining("\n    connected on thread \"" + name + "-connector\":\n")
						.hasMessageContaining("\n    thread \"" + name + "-connector\" was started during class " + name
								+ " at GlobalParallelTests.java:" + LINES.get(name) + "\n")
						.hasMessageNotContaining("not counted against");
					overlapped += notJudged.containsKey(id) ? 1 : 0;
				}
			}
		}
		finally {
			LedgerEvents.stopTracing();
			LoopbackConnections.closeAll();
		}
		System.out.println("nolinger: classes whose @BeforeAll thread leaked, failed while the other class ran: " + overlapped
				+ " of 6");
		assertThat(overlapped).as("classes that ran alongside the other and were still judged").isPositive();
	}

	/** The failures and the tests that reported sockets not judged, by unique ID. */
	private static void collect(List<Event> events, Map<String, Throwable> failures, Map<String, Boolean> notJudged) {
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
				event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable()
					.ifPresent(failure -> failures.put(id, failure));
			}
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

	/** A listener on loopback, reported to the ledger as the agent's hooks report it. */
	static java.net.ServerSocket tracedListener() throws IOException {
		java.net.ServerSocket listener = LoopbackConnections
			.keep(new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()));
		LedgerEvents.listening(listener, (InetSocketAddress) listener.getLocalSocketAddress());
		return listener;
	}

	/**
	 * Connects to the listener, accepts that connection and closes the accepted end (the server
	 * closes), all on the calling thread, reported there: neither end is the test thread's.
	 */
	static java.net.Socket tracedConnectAndServerClose(java.net.ServerSocket listener) {
		java.net.Socket client = tracedConnect(listener);
		try {
			acceptAndClose(listener);
		}
		catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
		return client;
	}

	/** Connects to the listener and reports it, on the calling thread. */
	static java.net.Socket tracedConnect(java.net.ServerSocket listener) {
		try {
			java.net.Socket socket = LoopbackConnections
				.keep(new java.net.Socket(listener.getInetAddress(), listener.getLocalPort()));
			InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
			LedgerEvents.connected(socket, local, (InetSocketAddress) socket.getRemoteSocketAddress()); mark("connected");
			return socket;
		}
		catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	/** Accepts on the calling thread, reports it, and closes the accepted end (the server closes). */
	static void acceptAndClose(java.net.ServerSocket listener) throws IOException {
		java.net.Socket accepted = listener.accept();
		InetSocketAddress local = (InetSocketAddress) accepted.getLocalSocketAddress();
		LedgerEvents.accepted(accepted, local, (InetSocketAddress) accepted.getRemoteSocketAddress()); mark("accepted");
		accepted.close();
		LedgerEvents.closed(accepted); mark("closed");
	}

	/** Lines of this file that traced messages name, each marked on its own line. */
	static final Map<String, Integer> LINES = new ConcurrentHashMap<>();

	/** Marks the caller's line under {@code name}. */
	static void mark(String name) {
		LINES.put(name, new Throwable().getStackTrace()[1].getLineNumber());
	}

	/** Accepts on the calling thread and reports it; the accepted end stays open. */
	static java.net.Socket tracedAccept(java.net.ServerSocket listener) {
		try {
			java.net.Socket accepted = LoopbackConnections.keep(listener.accept());
			LedgerEvents.accepted(accepted, (InetSocketAddress) accepted.getLocalSocketAddress(),
					(InetSocketAddress) accepted.getRemoteSocketAddress());
			return accepted;
		}
		catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	static void closeTraced(AutoCloseable closeable) {
		LoopbackConnections.close(closeable);
		LedgerEvents.closed(closeable);
	}

	/**
	 * Each test connects from a thread its own code makes, and joins it; the server end closes. A
	 * clean test then closes its client end; a leaky one leaves it in CLOSE_WAIT. A leaky server
	 * thread accepts on a thread the test makes, which ends, and never closes what it accepted.
	 */
	static class OwnThreadTestCases {

		static final int LEAKS = 5;

		/** Each test's listener port, by method and repetition. */
		static final Map<String, Integer> PORTS = new ConcurrentHashMap<>();

		static String expectedFailure(String repetition) {
			return """
					2 sockets lingering after OwnThreadTestCases.leaks() [repetition %s of 5] (tolerance 0):
					  FIN_WAIT2   server end  127.0.0.1:LISTENER -> 127.0.0.1:PORT  rule 2: mirror of this JVM's CLOSE_WAIT socket \
					  other end: CLOSE_WAIT, this JVM's
					    accepted on thread "WORKER" by listener 127.0.0.1:LISTENER:
					\tat dev.nolinger.GlobalParallelTests.acceptAndClose(GlobalParallelTests.java:%d)
					\tat dev.nolinger.GlobalParallelTests$OwnThreadTestCases.connectFromOwnThread(GlobalParallelTests.java:%d)
					    closed on thread "WORKER":
					\tat dev.nolinger.GlobalParallelTests.acceptAndClose(GlobalParallelTests.java:%d)
					\tat dev.nolinger.GlobalParallelTests$OwnThreadTestCases.connectFromOwnThread(GlobalParallelTests.java:%d)
					  CLOSE_WAIT  client end  127.0.0.1:PORT -> 127.0.0.1:LISTENER  rule 1: inode INODE is an open fd of this JVM\
					  other end: FIN_WAIT2, this JVM's
					    connected on thread "own-connector":
					\tat dev.nolinger.GlobalParallelTests.tracedConnect(GlobalParallelTests.java:%d)
					\tat dev.nolinger.GlobalParallelTests$OwnThreadTestCases.lambda$connectFromOwnThread$0(GlobalParallelTests.java:%d)
					    thread "own-connector" was started during OwnThreadTestCases.leaks() at GlobalParallelTests.java:%d
					Hints:
					  still FIN_WAIT2 after 100 ms of grace: this JVM closed (or called shutdownOutput()), and the peer has not closed its end.
					  still CLOSE_WAIT after 100 ms of grace: the peer closed, and this JVM has not called close() on its end.
					  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, \
					and which nolinger.grace (now 100 ms) would have passed; raise it only for a late close.
					Fix: close the client end opened at GlobalParallelTests.java:%d (CLOSE_WAIT: the server closed; this JVM had \
					not closed it within 100 ms of grace).""".formatted(repetition, LINES.get("accepted"), LINES.get("acceptAndClose"),
					LINES.get("closed"), LINES.get("acceptAndClose"), LINES.get("connected"), LINES.get("thread"), LINES.get("thread"), LINES.get("thread"));
		}

		@RepeatedTest(20)
		void clean(org.junit.jupiter.api.TestInfo info) throws Exception {
			connectFromOwnThread(info, true);
		}

		@RepeatedTest(LEAKS)
		void leaks(org.junit.jupiter.api.TestInfo info) throws Exception {
			connectFromOwnThread(info, false); mark("leaks");
		}

		@RepeatedTest(LEAKS)
		void serverThreadLeaks() throws Exception {
			java.net.ServerSocket listener = tracedListener();
			java.util.concurrent.atomic.AtomicReference<java.net.Socket> accepted = new java.util.concurrent.atomic.AtomicReference<>();
			Thread acceptor = new Thread(() -> accepted.set(tracedAccept(listener)), "own-acceptor"); mark("acceptor");
			acceptor.start();
			java.net.Socket client = tracedConnect(listener);
			acceptor.join(10_000);
			closeTraced(listener);
			java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(20).toNanos());
			// The client closes; the server end, accepted on the thread that has now ended, never does.
			closeTraced(client);
		}

		private static void connectFromOwnThread(org.junit.jupiter.api.TestInfo info, boolean closeClient) throws Exception {
			java.net.ServerSocket listener = tracedListener();
			PORTS.put(info.getTestMethod().orElseThrow().getName() + "#" + repetition(info), listener.getLocalPort());
			java.util.concurrent.atomic.AtomicReference<java.net.Socket> client = new java.util.concurrent.atomic.AtomicReference<>();
			Thread connector = new Thread(() -> client.set(tracedConnect(listener)), "own-connector"); mark("thread");
			connector.start();
			acceptAndClose(listener); mark("acceptAndClose");
			connector.join(10_000);
			closeTraced(listener);
			// Others' sockets come and go meanwhile.
			java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(20).toNanos());
			if (closeClient) {
				closeTraced(client.get());
			}
		}
	}

	static String repetition(org.junit.jupiter.api.TestInfo info) {
		return info.getDisplayName().replaceAll("repetition (\\d+) of \\d+", "$1");
	}

	/**
	 * A class whose {@code @BeforeAll} code connects from a thread it makes and joins; the server
	 * end closes on the class's thread, and the client end stays open: the class's own leak. Its
	 * test dwells, so that the two such classes run alongside each other.
	 */
	static class FixtureThreadOneTestCases {

		@org.junit.jupiter.api.BeforeAll
		static void leak() throws Exception {
			java.net.ServerSocket listener = tracedListener();
			Thread connector = new Thread(() -> tracedConnect(listener), "FixtureThreadOneTestCases-connector"); mark("FixtureThreadOneTestCases");
			connector.start();
			acceptAndClose(listener);
			connector.join(10_000);
			closeTraced(listener);
		}

		@Test
		void dwells() {
			java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(300).toNanos());
		}
	}

	/** Another like {@link FixtureThreadOneTestCases}. */
	static class FixtureThreadTwoTestCases {

		@org.junit.jupiter.api.BeforeAll
		static void leak() throws Exception {
			java.net.ServerSocket listener = tracedListener();
			Thread connector = new Thread(() -> tracedConnect(listener), "FixtureThreadTwoTestCases-connector"); mark("FixtureThreadTwoTestCases");
			connector.start();
			acceptAndClose(listener);
			connector.join(10_000);
			closeTraced(listener);
		}

		@Test
		void dwells() {
			java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(300).toNanos());
		}
	}

	/**
	 * Like {@link OwnThreadTestCases}, but a leaky test's own thread both connects and accepts
	 * (so no end is the test thread's), and is still alive at the check, waiting to be released
	 * after the run.
	 */
	static class LiveThreadTestCases {

		private static volatile java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

		private static final List<Thread> THREADS = new java.util.concurrent.CopyOnWriteArrayList<>();

		/** Lets the run's threads end, and arms the next run's. */
		static void release() throws InterruptedException {
			release.countDown();
			for (Thread thread : THREADS) {
				thread.join(10_000);
			}
			THREADS.clear();
			release = new java.util.concurrent.CountDownLatch(1);
		}

		@RepeatedTest(12)
		void clean() {
			LoopbackConnections.Pair pair = TracedMixedTestCases.traced(LoopbackConnections.connect());
			java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(20).toNanos());
			for (AutoCloseable end : List.of(pair.client(), pair.accepted(), pair.server())) {
				closeTraced(end);
			}
		}

		@RepeatedTest(4)
		void leaks() throws Exception {
			java.net.ServerSocket listener = tracedListener();
			java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
			java.util.concurrent.CountDownLatch released = release;
			Thread connector = new Thread(() -> {
				tracedConnectAndServerClose(listener);
				connected.countDown();
				try {
					released.await(30, java.util.concurrent.TimeUnit.SECONDS);
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
			}, "own-connector-alive");
			connector.setDaemon(true);
			THREADS.add(connector);
			connector.start();
			connected.await(10, java.util.concurrent.TimeUnit.SECONDS);
			closeTraced(listener);
			java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(20).toNanos());
		}
	}

	/**
	 * Tests that connect on threads their own code did not make: through
	 * {@code CompletableFuture.supplyAsync} (its default executor, the common pool or a thread per
	 * task), through the common pool named explicitly, and through a static executor the first test
	 * to need it creates, whose factory is this class's lambda and whose idle threads end after
	 * 10 ms, so that they end within the test that made them while they served others. Each test
	 * dwells past that. The task connects, accepts and closes the server end, so no end is the test
	 * thread's; a leaky test leaves its client end open.
	 */
	static class SharedPoolTestCases {

		static final int LEAKS = 9;

		static final Map<String, Integer> PORTS = new ConcurrentHashMap<>();

		private static java.util.concurrent.ThreadPoolExecutor executor;

		static synchronized java.util.concurrent.ThreadPoolExecutor executor() {
			if (executor == null) {
				executor = new java.util.concurrent.ThreadPoolExecutor(0, 4, 10, java.util.concurrent.TimeUnit.MILLISECONDS,
						new java.util.concurrent.SynchronousQueue<>(), task -> {
							Thread thread = new Thread(task, "lazy-static-executor");
							thread.setDaemon(true);
							return thread;
						});
			}
			return executor;
		}

		static synchronized void shutdown() {
			if (executor != null) {
				executor.shutdownNow();
				executor = null;
			}
		}

		private static void connect(org.junit.jupiter.api.TestInfo info, java.util.concurrent.Executor through,
				boolean closeClient) throws Exception {
			java.net.ServerSocket listener = tracedListener();
			PORTS.put(info.getTestMethod().orElseThrow().getName() + "#" + repetition(info), listener.getLocalPort());
			java.util.concurrent.CompletableFuture<java.net.Socket> client = through == null
					? java.util.concurrent.CompletableFuture.supplyAsync(() -> tracedConnectAndServerClose(listener))
					: java.util.concurrent.CompletableFuture.supplyAsync(() -> tracedConnectAndServerClose(listener), through);
			java.net.Socket socket = client.get(10, java.util.concurrent.TimeUnit.SECONDS);
			closeTraced(listener);
			// Past the static executor's keep-alive: its idle threads end within this test.
			java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(40).toNanos());
			if (closeClient) {
				closeTraced(socket);
			}
		}

		@RepeatedTest(8)
		void supplyAsyncClean(org.junit.jupiter.api.TestInfo info) throws Exception {
			connect(info, null, true);
		}

		@RepeatedTest(3)
		void supplyAsyncLeaks(org.junit.jupiter.api.TestInfo info) throws Exception {
			connect(info, null, false);
		}

		@RepeatedTest(8)
		void commonPoolClean(org.junit.jupiter.api.TestInfo info) throws Exception {
			connect(info, java.util.concurrent.ForkJoinPool.commonPool(), true);
		}

		@RepeatedTest(3)
		void commonPoolLeaks(org.junit.jupiter.api.TestInfo info) throws Exception {
			connect(info, java.util.concurrent.ForkJoinPool.commonPool(), false);
		}

		@RepeatedTest(8)
		void staticExecutorClean(org.junit.jupiter.api.TestInfo info) throws Exception {
			connect(info, executor(), true);
		}

		@RepeatedTest(3)
		void staticExecutorLeaks(org.junit.jupiter.api.TestInfo info) throws Exception {
			connect(info, executor(), false);
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

		static LoopbackConnections.Pair traced(LoopbackConnections.Pair pair) {
			LedgerEvents.listening(pair.server(), (InetSocketAddress) pair.server().getLocalSocketAddress());
			LedgerEvents.connected(pair.client(), (InetSocketAddress) pair.client().getLocalSocketAddress(),
					(InetSocketAddress) pair.client().getRemoteSocketAddress());
			LedgerEvents.accepted(pair.accepted(), (InetSocketAddress) pair.accepted().getLocalSocketAddress(),
					(InetSocketAddress) pair.accepted().getRemoteSocketAddress());
			return pair;
		}
	}
}
