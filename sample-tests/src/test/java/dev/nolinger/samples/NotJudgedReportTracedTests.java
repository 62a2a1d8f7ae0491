/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Traced, report.md names where each socket not judged was opened: two test classes run
 * concurrently with global registration, and one test opens a connection on a thread shared by
 * the whole run (no test's own thread, so no test can be proven its owner), which it leaves
 * half-closed. Real loopback sockets, run through the launcher with the report listener.
 */
class NotJudgedReportTracedTests {

	/** Created outside any test: its thread carries no test's lineage, and belongs to no test. */
	private static final ExecutorService SHARED = Executors.newSingleThreadExecutor(task -> {
		Thread thread = new Thread(task, "shared-io");
		thread.setDaemon(true);
		return thread;
	});

	static volatile CyclicBarrier together;
	static volatile ServerSocket listener;
	static volatile Socket client;
	static volatile Socket accepted;
	static volatile StackTraceElement connectedAt;
	static volatile StackTraceElement listenedAt;

	@AfterEach
	void closeEverything() throws Exception {
		for (AutoCloseable open : new AutoCloseable[] { client, accepted, listener }) {
			if (open != null) {
				open.close();
			}
		}
	}

	@AfterAll
	static void stopTheSharedThread() {
		SHARED.shutdownNow();
	}

	@Test
	void reportMdNamesTheLineThatOpenedEachSocketNotJudged(@TempDir Path reports) throws Exception {
		org.junit.jupiter.api.Assumptions.assumeTrue(LingeringFailures.TRACED, "run by Surefire's traced execution");
		together = new CyclicBarrier(2);
		SummaryGeneratingListener summary = new SummaryGeneratingListener();
		ByteArrayOutputStream captured = new ByteArrayOutputStream();
		PrintStream original = System.out;
		System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
		try {
			LauncherFactory.create()
				.execute(LauncherDiscoveryRequestBuilder.request()
					.selectors(selectClass(WaitingTestCases.class), selectClass(SharedThreadLeakTestCases.class))
					.configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
					.configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
					.configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
					.configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
					.configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
					.configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
					.configurationParameter("nolinger.grace", FixtureRun.FAST_GRACE)
					.configurationParameter("nolinger.report.dir", reports.toString())
					.build(), summary);
		}
		finally {
			System.setOut(original);
		}

		assertThat(summary.getSummary().getTotalFailureCount()).as("nothing unjudged fails").isZero();
		String md = Files.readString(reports.resolve("report.md"));
		String file = connectedAt.getFileName() + ":";
		String server = "127.0.0.1:" + listener.getLocalPort();
		String clientEnd = "127.0.0.1:" + client.getLocalPort();
		// The executor creates its thread at the first submit, during the leaky test, on its line.
		String lineage = "; thread \"shared-io\" was started during SharedThreadLeakTestCases.leaks() at ";
		String connected = "| FIN_WAIT2 | client end | " + clientEnd + " | " + server + " | connected on thread \"shared-io\" at " + file
				+ connectedAt.getLineNumber() + lineage;
		assertThat(md).as(md).contains("\n### SharedThreadLeakTestCases.leaks() (2 sockets; ran alongside class WaitingTestCases,"
				+ " WaitingTestCases.waits())\n")
			.contains(connected + file + (connectedAt.getLineNumber() - 1) + " |\n")
			.contains("| CLOSE_WAIT | server end | " + server + " | " + clientEnd + " | accepted on thread \"shared-io\" at " + file
					+ (connectedAt.getLineNumber() + 1) + ", by listener " + server + ", started at " + file
					+ listenedAt.getLineNumber() + lineage + file + (connectedAt.getLineNumber() - 1) + " |\n");
		assertThat(md.substring(md.indexOf("### WaitingTestCases.waits()")))
			.as("the other test saw the same sockets, opened at the same line").contains(connected);
	}

	static void meet() throws Exception {
		together.await(10, TimeUnit.SECONDS);
	}

	static class WaitingTestCases {

		@Test
		void waits() throws Exception {
			meet();
			meet();
		}
	}

	static class SharedThreadLeakTestCases {

		@Test
		void leaks() throws Exception {
			meet();
			listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); listenedAt = SourceLine.here();
			// Both ends on the shared thread: an end accepted on the test's own thread would be proven its, and fail it.
			Socket[] ends = SHARED.submit(() -> {
				Socket socket = new Socket(listener.getInetAddress(), listener.getLocalPort()); connectedAt = SourceLine.here();
				return new Socket[] { socket, listener.accept() };
			}).get(10, TimeUnit.SECONDS);
			client = ends[0];
			accepted = ends[1];
			client.close();
			ProcNetTcp.awaitState(
					new java.net.InetSocketAddress(accepted.getLocalAddress(), accepted.getLocalPort()),
					new java.net.InetSocketAddress(accepted.getInetAddress(), accepted.getPort()), dev.nolinger.TcpState.CLOSE_WAIT);
			meet();
		}
	}
}
