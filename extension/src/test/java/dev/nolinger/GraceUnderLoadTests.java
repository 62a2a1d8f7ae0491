/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The grace on a loaded machine: a JVM that does not run gets that time back, up to a bound. A
 * descheduled JVM is made for a known time with {@code SIGSTOP} and {@code SIGCONT}, in a child
 * JVM that runs a fixture class through the launcher; a crowded run queue, with busy threads that
 * stop by themselves.
 */
class GraceUnderLoadTests {

	@TempDir
	Path dir;

	@AfterEach
	void closeAll() {
		LoopbackConnections.closeAll();
		SuiteReportRecords.forgetWatched();
	}

	@Test
	void aSocketThatClosesWithinTheGraceOfRunTimePassesThoughTheJvmWasStoppedForLongerThanTheGrace() throws Exception {
		// Stopped 1 s into a 3 s grace for 2.5 s; the server end closes 0.2 s after the JVM runs again: within the
		// first 3 s the JVM ran after the test, though the wall clock says 3.7 s. Counted by the wall clock, the wait
		// would end at its first poll after the stop, before the close. (The stop starts 1 s after the test's last
		// @AfterEach method, so the check has surely begun its wait; the grace leaves room for a stop that starts late.)
		Child child = child(200, 1_000, 2_500);

		assertThat(child.failures()).as("%s", child).isEmpty();
		assertThat(child.succeeded()).as("%s", child).isEqualTo(1);
	}

	@Test
	void theGraceIsExtendedAtMostByItsOwnLength() throws Exception {
		// Stopped 1 s into a 3 s grace for 5 s; the server end closes 0.2 s after the JVM runs again, but 3 s is all the
		// grace gets back: the JVM ran 1 s before the stop, and the wall clock says 6 s, 3 s more than the grace.
		Child child = child(200, 1_000, 5_000);

		assertThat(child.failures()).as("%s", child).singleElement().asString()
			.contains("\n  still CLOSE_WAIT after 3 s of grace: the peer closed, and this JVM has not called close() on its end.\n");
		assertThat(child.out()).as("%s", child).contains("log nolinger: the grace for "
				+ "[engine:junit-jupiter]/[class:dev.nolinger.GraceUnderLoadTests$StoppedTestCases]/[method:leavesTheServerEndToCloseLater()]"
				+ " was extended by 3.0 s, as this JVM did not run for that long");
	}

	/** What a child JVM's run of {@link StoppedTestCases} printed. */
	record Child(int succeeded, List<String> failures, List<String> out) {
	}

	/**
	 * Runs {@link StoppedTestCases} in a child JVM with a 3 s grace.
	 *
	 * @param closeAfterMillis when the server end closes after the JVM runs again, or -1 for never
	 * @param stopAfterMillis when the JVM is stopped after the test
	 * @param stopForMillis for how long
	 */
	private Child child(long closeAfterMillis, long stopAfterMillis, long stopForMillis) throws Exception {
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
				"--enable-native-access=ALL-UNNAMED", "-D" + CLOSE_AFTER + "=" + closeAfterMillis,
				"-D" + STOP_AFTER + "=" + stopAfterMillis, "-D" + STOP_FOR + "=" + stopForMillis, "-cp",
				System.getProperty("java.class.path"), ChildMain.class.getName(), this.dir.toString());
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> lines(process.getInputStream()));
		try {
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
		}
		finally {
			// SIGKILL ends a stopped process too
			process.destroyForcibly();
		}
		List<String> out = lines.get(10, TimeUnit.SECONDS);
		int succeeded = -1;
		List<String> failures = new ArrayList<>();
		for (String line : out) {
			if (line.startsWith("succeeded ")) {
				succeeded = Integer.parseInt(line.substring("succeeded ".length()));
			}
			else if (line.startsWith("failure ")) {
				failures.add(line.substring("failure ".length()).replace("\\n", "\n"));
			}
		}
		assertThat(process.exitValue()).as("exit of %s", out).isZero();
		return new Child(succeeded, failures, out);
	}

	private static List<String> lines(InputStream in) {
		try (in) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	static final String CLOSE_AFTER = "nolinger.test.closeAfterMillis";

	static final String STOP_AFTER = "nolinger.test.stopAfterMillis";

	static final String STOP_FOR = "nolinger.test.stopForMillis";

	static final String WARM_UP = "nolinger.test.warmUp";

	/** The child: runs {@link StoppedTestCases} and prints how many succeeded and each failure's message on one line. */
	public static final class ChildMain {

		private ChildMain() {
		}

		public static void main(String[] args) {
			Logger logger = Logger.getLogger(NoLingeringSocketsExtension.class.getName());
			logger.setLevel(Level.FINE);
			logger.addHandler(new Handler() {

				@Override
				public void publish(LogRecord record) {
					if (record.getMessage().contains("was extended by")) {
						System.out.println("log " + record.getMessage());
					}
				}

				@Override
				public void flush() {
				}

				@Override
				public void close() {
				}
			});
			// A first run, its grace 0 and no stop, pays this JVM's first check of a failing test (class loading, the
			// native calls, the JIT): a cold first read after the test can outlast the second that the stop waits.
			System.setProperty(WARM_UP, "true");
			LauncherFactory.create()
				.execute(LauncherDiscoveryRequestBuilder.request()
					.selectors(selectClass(StoppedTestCases.class))
					.configurationParameter("nolinger.grace", "0s")
					.configurationParameter("nolinger.report.dir", Path.of(args[0], "warm-up").toString())
					.build());
			System.clearProperty(WARM_UP);
			LoopbackConnections.closeAll();
			SummaryGeneratingListener listener = new SummaryGeneratingListener();
			LauncherFactory.create()
				.execute(LauncherDiscoveryRequestBuilder.request()
					.selectors(selectClass(StoppedTestCases.class))
					.configurationParameter("nolinger.grace", "3s")
					// The test's own wait is then the last on this thread, for the timeline below.
					.configurationParameter("nolinger.classes", "false")
					.configurationParameter("nolinger.report.dir", Path.of(args[0], "report").toString())
					.build(), listener);
			TestExecutionSummary summary = listener.getSummary();
			// When it fails, what happened when, in ms from the end of the test's @AfterEach method: read with the failure.
			CheckGrace.Waited waited = CheckGrace.lastWait();
			long from = StoppedTestCases.afterEachEnded;
			System.out.println("timeline grace began " + millisSince(from, waited == null ? 0 : waited.began()) + ", stop ended "
					+ millisSince(from, StoppedTestCases.stopperEnded) + ", server end closed "
					+ millisSince(from, StoppedTestCases.closed) + ", last read " + millisSince(from, waited == null ? 0 : waited.lastRead())
					+ ", credited " + (waited == null ? "-" : waited.stalledNanos() / 1_000_000));
			System.out.println("succeeded " + summary.getTestsSucceededCount());
			for (TestExecutionSummary.Failure failure : summary.getFailures()) {
				System.out.println("failure " + String.valueOf(failure.getException().getMessage()).replace("\n", "\\n"));
			}
			System.out.flush();
			LoopbackConnections.closeAll();
			System.exit(0);
		}
	}

	private static String millisSince(long from, long at) {
		return at == 0 || from == 0 ? "-" : String.valueOf((at - from) / 1_000_000);
	}

	@NoLingeringSockets
	static class StoppedTestCases {

		static volatile long afterEachEnded;

		static volatile long stopperEnded;

		static volatile long closed;

		private LoopbackConnections.Pair pair;

		@Test
		void leavesTheServerEndToCloseLater() {
			this.pair = LoopbackConnections.serverNeverCloses();
		}

		@AfterEach
		void stopThisJvmForAWhile() throws IOException {
			if (Boolean.getBoolean(WARM_UP)) {
				return;
			}
			// What a loaded machine does to a JVM, for a known time: none of its threads runs. Started last before the
			// check, so the stop falls into the grace.
			long pid = ProcessHandle.current().pid();
			Process stopper = new ProcessBuilder("sh", "-c", "sleep " + Long.getLong(STOP_AFTER) / 1000.0 + "; kill -STOP "
					+ pid + "; sleep " + Long.getLong(STOP_FOR) / 1000.0 + "; kill -CONT " + pid)
				.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
			long closeAfter = Long.getLong(CLOSE_AFTER);
			if (closeAfter >= 0) {
				// Like a server's thread that closes its end a little later, once it gets to run again.
				Thread closer = new Thread(() -> {
					try {
						stopper.waitFor(30, TimeUnit.SECONDS);
						stopperEnded = System.nanoTime();
						Thread.sleep(closeAfter);
					}
					catch (InterruptedException e) {
						Thread.currentThread().interrupt();
					}
					LoopbackConnections.close(this.pair.accepted());
					closed = System.nanoTime();
				}, "late-closer");
				closer.setDaemon(true);
				closer.start();
			}
			afterEachEnded = System.nanoTime();
		}
	}

	@Test
	void aSocketThatClosesWithinTheGracePassesWhileBusyThreadsCrowdEveryCore() throws Exception {
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong spins = new AtomicLong();
		int threads = 2 * Runtime.getRuntime().availableProcessors();
		List<Thread> load = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			Thread busy = new Thread(() -> {
				// Stops by itself after 10 s at the most, or when the run is over.
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
				long n = 0;
				while (!stop.get() && System.nanoTime() < deadline) {
					n++;
				}
				spins.addAndGet(n);
			}, "busy-" + i);
			busy.setDaemon(true);
			busy.start();
			load.add(busy);
		}
		try {
			EngineTestKit.engine("junit-jupiter")
				.configurationParameter("nolinger.report.dir", this.dir.toString())
				.selectors(selectClass(UnderLoadTestCases.class))
				.execute()
				.testEvents()
				.assertStatistics(stats -> stats.started(3).succeeded(3).failed(0));
		}
		finally {
			stop.set(true);
			for (Thread busy : load) {
				busy.join(15_000);
			}
			UnderLoadTestCases.closer.shutdownNow();
		}
		assertThat(spins.get()).as("the load ran").isPositive();
	}

	@NoLingeringSockets(graceMillis = 2_000)
	static class UnderLoadTestCases {

		static final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "late-closer");
			thread.setDaemon(true);
			return thread;
		});

		/** Like a server that closes its end of a connection shortly after the test, on its own thread. */
		@org.junit.jupiter.api.RepeatedTest(3)
		void closesWithinTheGrace() {
			LoopbackConnections.Pair pair = LoopbackConnections.serverNeverCloses();
			closer.schedule(() -> LoopbackConnections.close(pair.accepted()), 300, TimeUnit.MILLISECONDS);
		}
	}
}
