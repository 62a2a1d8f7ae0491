/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sockets left unjudged under parallel execution reach report.md and report.json, each with
 * the tests and classes that ran alongside, class containers included; the console says how
 * many and where to look. Real loopback sockets, two classes run concurrently through the
 * launcher with global registration, untraced.
 */
class NotJudgedReportTests {

	static volatile CyclicBarrier together;
	static volatile LoopbackConnections.Pair classLeak;
	static volatile LoopbackConnections.Pair testLeak;
	static volatile CountDownLatch classLeakDone;

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void unjudgedSocketsOfTestsAndClassesAreListedWithWhoRanAlongside(@TempDir Path reports) throws Exception {
		together = new CyclicBarrier(2);
		classLeakDone = new CountDownLatch(1);
		SuiteReportListenerTests.Launched run = SuiteReportListenerTests.launch(reports, "100ms",
				Map.of("junit.jupiter.extensions.autodetection.enabled", "true",
						"junit.jupiter.execution.parallel.enabled", "true",
						"junit.jupiter.execution.parallel.mode.default", "concurrent",
						"junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
						"junit.jupiter.execution.parallel.config.strategy", "fixed",
						"junit.jupiter.execution.parallel.config.fixed.parallelism", "2"),
				ClassFixtureLeaksTestCases.class, TestLeaksTestCases.class);
		String out = run.out();

		assertThat(run.summary().getTotalFailureCount()).as("nothing unjudged fails: %s", out).isZero();
		// waits() saw the test's leak; leaks() saw its own and the class's; the class saw both, but
		// waits() listed one already; class TestLeaksTestCases saw both, and leaks() listed both.
		assertThat(out).contains("\n  not judged:   8 sockets in 2 tests and 1 class, as other checked tests ran alongside:"
				+ " listed, with where each was opened, in report.md\n");
		String classServer = "127.0.0.1:" + classLeak.serverPort();
		String classClient = "127.0.0.1:" + classLeak.clientPort();
		String testServer = "127.0.0.1:" + testLeak.serverPort();
		String testClient = "127.0.0.1:" + testLeak.clientPort();
		String classRows = """
				| FIN_WAIT2 | client end | %1$s | %2$s | not traced |
				| CLOSE_WAIT | server end | %2$s | %1$s | not traced |
				""".formatted(classClient, classServer);
		String testRows = """
				| FIN_WAIT2 | client end | %1$s | %2$s | not traced |
				| CLOSE_WAIT | server end | %2$s | %1$s | not traced |
				""".formatted(testClient, testServer);
		String table = "| state | end | local | remote | where |\n| --- | --- | --- | --- | --- |\n";
		String md = Files.readString(reports.resolve("report.md"));
		assertThat(md).contains("\n## Not judged\n\n8 sockets in 2 tests and 1 class were not judged: other checked tests ran"
				+ " alongside, so the socket table could not tell whose they were, and they failed no test. Each was left by its"
				+ " test or by one that ran alongside.\n\n### class NotJudgedReportTests.ClassFixtureLeaksTestCases (2 sockets;"
				+ " ran alongside class TestLeaksTestCases, TestLeaksTestCases.leaks())\n\n" + table + classRows
				+ "\n### ClassFixtureLeaksTestCases.waits() (2 sockets; ran alongside class TestLeaksTestCases,"
				+ " TestLeaksTestCases.leaks())\n\n" + table + testRows
				+ "\n### TestLeaksTestCases.leaks() (4 sockets; ran alongside class ClassFixtureLeaksTestCases,"
				+ " ClassFixtureLeaksTestCases.waits())\n\n" + table);
		assertThat(md.substring(md.indexOf("### TestLeaksTestCases.leaks()"))).contains(classRows).contains(testRows);
		String json = Files.readString(reports.resolve("report.json"));
		assertThat(json).contains("\n  \"testsNotJudged\": 2,\n  \"classesNotJudged\": 1,\n  \"socketsNotJudged\": 8,\n")
			.contains("\"name\": \"class NotJudgedReportTests.ClassFixtureLeaksTestCases\", \"failed\": false, \"tolerance\": 0,"
					+ " \"passedByBaseline\": 0, \"sockets\": [], \"notJudged\": [{\"state\": \"FIN_WAIT2\", \"end\": \"client end\","
					+ " \"local\": \"" + classClient + "\", \"remote\": \"" + classServer + "\", \"where\": null}, {\"state\":"
					+ " \"CLOSE_WAIT\", \"end\": \"server end\", \"local\": \"" + classServer + "\", \"remote\": \"" + classClient
					+ "\", \"where\": null}], \"ranAlongside\": [\"class TestLeaksTestCases\", \"TestLeaksTestCases.leaks()\"]}");
	}

	@Test
	void reportPartsKeepTheUnjudgedSocketsAndWhoRanAlongside() throws Exception {
		SuiteReport.Test test = new SuiteReport.Test("[engine:junit-jupiter]/[class:A]", "class A", 0, false, List.of(), 0, 2,
				List.of(new SuiteReport.Unjudged(TcpState.CLOSE_WAIT, "server end", "127.0.0.1:1", "127.0.0.1:2",
						"accepted on thread \"a\tb\" at A.java:3, by listener 127.0.0.1:1"),
						new SuiteReport.Unjudged(TcpState.FIN_WAIT2, "client end", "127.0.0.1:2", "127.0.0.1:1", "")),
				List.of("B.t()", "class B"));
		SuiteReport.Test plain = new SuiteReport.Test("[engine:junit-jupiter]/[class:C]/[method:t()]", "C.t()", 0, false,
				List.of());

		assertThat(SuiteReportFiles.deserialize(SuiteReportFiles.serialize(new SuiteReport(List.of(test, plain)))))
			.containsExactly(test, plain);
	}

	@Test
	void whereASocketWasOpenedFitsOnOneLineAndAnUntracedOneSaysNothing() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309, 37106);
		LedgerSocket connected = new LedgerSocket(LedgerSocket.Kind.CONNECTED, closeWait.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int line = new Throwable().getStackTrace()[0].getLineNumber();
		List<String> own = List.of(NotJudgedReportTests.class.getName());

		assertThat(Messages.whereOpened(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.CLIENT, null,
				connected), own)).isEqualTo("connected on thread \"main\" at NotJudgedReportTests.java:" + line);
		assertThat(Messages.whereOpened(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.CLIENT,
				null), own)).isEmpty();
	}

	/** Waits, bounded, until the other class's test runs too, so that the two windows overlap. */
	static void meet() throws Exception {
		together.await(10, TimeUnit.SECONDS);
	}

	/**
	 * Leaks a connection in @AfterAll, after its test's window closed: only the class's window,
	 * and the other class's test, which waits for it, see it.
	 */
	static class ClassFixtureLeaksTestCases {

		@AfterAll
		static void leak() throws Exception {
			classLeak = settled(LoopbackConnections.serverNeverCloses());
			classLeakDone.countDown();
		}

		@Test
		void waits() throws Exception {
			meet();
			meet();
		}
	}

	static class TestLeaksTestCases {

		@Test
		void leaks() throws Exception {
			meet();
			testLeak = settled(LoopbackConnections.serverNeverCloses());
			meet();
			assertThat(classLeakDone.await(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	/** Returns once the server end has read the client's FIN: it is in CLOSE_WAIT. */
	static LoopbackConnections.Pair settled(LoopbackConnections.Pair pair) throws Exception {
		Socket accepted = pair.accepted();
		accepted.setSoTimeout(5_000);
		assertThat(accepted.getInputStream().read()).isEqualTo(-1);
		return pair;
	}
}
