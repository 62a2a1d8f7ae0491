/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The suite summary, found by the launcher through ServiceLoader, on a real run with a real leak. */
class SuiteReportListenerTests {

	static LoopbackConnections.Pair leak;

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void printsOneSummaryAndWritesJsonAndMarkdown(@TempDir Path reports) throws Exception {
		Launched run = launch(reports, "100ms", LeakyTestCases.class, CleanTestCases.class);

		assertThat(run.summary().getTestsFailedCount()).isEqualTo(1);
		int server = leak.serverPort();
		int client = leak.clientPort();
		assertThat(run.out()).contains("""
				nolinger: 3 tests checked, 1 failed for lingering sockets, 2 lingering sockets.
				  states:       CLOSE_WAIT (1), FIN_WAIT2 (1)
				  where:        SuiteReportListenerTests$LeakyTestCases CLOSE_WAIT server end (1), SuiteReportListenerTests$LeakyTestCases FIN_WAIT2 client end (1)
				  leaks:        2 sockets: 2 still lingering at the end of the run. No grace passes a leak: fix the code that holds them
				  cost:         the checks took\s""");
		assertThat(run.out()).as("what the checks cost, then where the report is")
			.containsPattern("\n  cost:         the checks took \\d+\\.\\d ms in all, \\d+\\.\\d{3} ms per test\n  report:       "
					+ Pattern.quote(reports.resolve("report.md").toString()) + "\n");
		// The leak is still open when the session ends; other tests of this JVM may hold more.
		assertThat(run.out()).containsPattern(
				"\nnolinger: this JVM still holds \\d+ lingering sockets at the end of the run \\(CLOSE_WAIT \\d+, FIN_WAIT2 \\d+\\):"
						+ " reported, not failed\\.\n");
		String json = Files.readString(reports.resolve("report.json"));
		assertThat(json).startsWith("""
				{
				  "testsChecked": 3,
				  "testsFailed": 1,
				  "classesFailed": 0,
				  "lingeringSockets": 2,
				  "testsNotJudged": 0,
				  "classesNotJudged": 0,
				  "socketsNotJudged": 0,
				  "states": {"CLOSE_WAIT": 1, "FIN_WAIT2": 1},
				  "where": {"SuiteReportListenerTests$LeakyTestCases CLOSE_WAIT server end": 1, "SuiteReportListenerTests$LeakyTestCases FIN_WAIT2 client end": 1},
				  "stillLingeringAtTheEnd": 2,
				  "closedLate": 0,
				  "leaks": 2,
				  "closedByCleaner": 0,
				  "closedOnTestThread": 0,
				  "closedBeyondBound": 0,
				  "finWait2DroppedBesideCloseWait": 0,
				  "undecided": 0,
				  "lateCloses": [],
				  "checkMillis":\s""")
			.containsPattern("\n  \"checkMillis\": \\d+\\.\\d{3},\n  \"tests\": \\[")
			.contains("\"name\": \"LeakyTestCases.leaks()\", \"failed\": true, \"tolerance\": 0, \"passedByBaseline\": 0, \"sockets\": [")
			.contains("{\"state\": \"CLOSE_WAIT\", \"end\": \"server end\", \"local\": \"127.0.0.1:%d\", \"remote\": \"127.0.0.1:%d\", \"rule\": 1, \"serverPort\": %d, \"atTheEnd\": \"still lingering at the end of the run\", \"leak\": true}"
				.formatted(server, client, server))
			.contains("\"name\": \"CleanTestCases.clean()\", \"failed\": false, \"tolerance\": 0, \"passedByBaseline\": 0, \"sockets\": []");
		assertThat(Files.readString(reports.resolve("report.md"))).startsWith("""
				# nolinger report

				| tests checked | failed for lingering sockets | lingering sockets |
				| ---: | ---: | ---: |
				| 3 | 1 | 2 |

				## Most frequent states

				| state | sockets |
				| --- | ---: |
				| CLOSE_WAIT | 1 |
				| FIN_WAIT2 | 1 |

				## Where: test class, state and end

				| test class | state | end | sockets |
				| --- | --- | --- | ---: |
				| SuiteReportListenerTests$LeakyTestCases | CLOSE_WAIT | server end | 1 |
				| SuiteReportListenerTests$LeakyTestCases | FIN_WAIT2 | client end | 1 |

				## How the sockets that failed a test ended

				- **Leaks**: 2 sockets: 2 still lingering at the end of the run. No grace passes a leak: fix the code that holds them.
				- **Closed late**: none.

				## Tests that left sockets

				### LeakyTestCases.leaks() (failed, tolerance 0)

				| state | end | local | remote | rule | at the end of the run |
				| --- | --- | --- | --- | ---: | --- |
				""").contains("| CLOSE_WAIT | server end | 127.0.0.1:%d | 127.0.0.1:%d | 1 | still lingering at the end of the run |\n"
					.formatted(server, client));
	}

	@Test
	void theSummarySaysWhatTheChecksCostAndTheFasterPathNotTaken() throws Exception {
		SuiteReport.Test test = new SuiteReport.Test("[engine:junit-jupiter]/[class:A]/[method:t()]", "A.t()", 0, false,
				List.of());
		CheckCost cost = new CheckCost(2_500_000, "native access is not enabled; add --enable-native-access=ALL-UNNAMED");
		SuiteReport report = new SuiteReport(List.of(test, test), cost);

		assertThat(report.consoleSummary("r.md")).isEqualTo("""
				nolinger: 2 tests checked, 0 failed for lingering sockets, 0 lingering sockets.
				  cost:         the checks took 2.5 ms in all, 1.250 ms per test
				  faster path:  not taken, so tests that hold connections read the whole socket table: native access is not\
				 enabled; add --enable-native-access=ALL-UNNAMED
				  report:       r.md""");
		String part = SuiteReportFiles.serialize(report);
		assertThat(SuiteReportFiles.cost(part + part)).as("two sessions' parts add up")
			.isEqualTo(new CheckCost(5_000_000, cost.fasterPath()));
		assertThat(SuiteReportFiles.deserialize(part)).hasSize(2);
	}

	@Test
	void partsOfTheSameRunAreMergedAndOlderRunsDropped(@TempDir Path reports) throws Exception {
		SuiteReport.Test fromSibling = new SuiteReport.Test("[engine:junit-jupiter]/[class:Sibling]", "Sibling.t()", 0,
				true, List.of(new SuiteReport.Socket(TcpState.CLOSE_WAIT, "server end", "127.0.0.1:8080",
						"127.0.0.1:40000", 1, 8080)));
		SuiteReport.Test own = new SuiteReport.Test("[engine:junit-jupiter]/[class:Own]", "Own.t()", 0, false, List.of());
		Path parts = Files.createDirectories(reports.resolve("parts"));
		String run = SuiteReportFiles.runTag();
		Files.writeString(parts.resolve(run + "_1.tsv"), SuiteReportFiles.serialize(new SuiteReport(List.of(fromSibling))));
		Files.writeString(parts.resolve("run-1-1_2.tsv"), "T\tstale\tOld.t()\ttrue\t0\n");

		SuiteReport merged = SuiteReportFiles.write(reports, new SuiteReport(List.of(own)));

		assertThat(merged.tests()).containsExactlyInAnyOrder(fromSibling, own);
		assertThat(parts.resolve("run-1-1_2.tsv")).doesNotExist();
		assertThat(merged.byClassStateAndEnd()).containsExactly(org.assertj.core.api.Assertions.entry("Sibling CLOSE_WAIT server end", 1));
	}

	@Test
	void reportPartsSurviveAwkwardNames() throws Exception {
		SuiteReport.Test test = new SuiteReport.Test("id\twith\\tabs", "name\nwith \"quotes\"", 2, true,
				List.of(new SuiteReport.Socket(TcpState.FIN_WAIT2, "unknown end", "[::1]:1", "[::1]:2", 2, -1,
						SuiteReportFate.closed(100, 1200))), 3, 4);

		assertThat(SuiteReportFiles.deserialize(SuiteReportFiles.serialize(new SuiteReport(List.of(test)))))
			.containsExactly(test);
	}

	@Test
	void aLateCloseReadsAsWhenItClosedWithTheGraceThatPassesItAndALeakNeverShareALine(@TempDir Path reports)
			throws Exception {
		Launched run;
		try {
			run = launch(reports, "200ms", LateCloseTestCases.class);
		}
		finally {
			lateCloser.shutdownNow();
		}

		assertThat(run.summary().getTestsFailedCount()).isEqualTo(2);
		assertThat(run.summary().getTestsAbortedCount()).isEqualTo(1);
		assertThat(run.summary().getTestsSkippedCount()).isEqualTo(1);
		assertThat(run.summary().getFailures()).as("at failure time, a late close and a leak read alike: no advice to raise the grace")
			.allSatisfy(failure -> assertThat(failure.getException()).hasMessageContaining(
					"\n  still CLOSE_WAIT after 200 ms of grace: the peer closed, and this JVM has not called close() on its end.\n"
							+ "  Late close or leak? The suite summary at the end of the run says whether these sockets closed"
							+ " later, when, and which nolinger.grace (now 200 ms) would have passed; raise it only for a late"
							+ " close.\n"));
		String out = run.out();
		// 17 ran their callbacks: the aborted one is skipped in every report, so it is not counted; the disabled one never ran.
		assertThat(out).contains("nolinger: 17 tests checked, 2 failed for lingering sockets, 4 lingering sockets.")
			.contains("\n  leaks:        2 sockets: 2 still lingering at the end of the run. No grace passes a leak: fix the"
					+ " code that holds them\n");
		Matcher late = Pattern.compile("\n  closed late:  SuiteReportListenerTests\\$LateCloseTestCases: 2 sockets closed"
				+ " between (\\d+\\.\\d) s and (\\d+\\.\\d) s after their test; nolinger\\.grace=(\\d+)ms would have passed"
				+ " its 1 test, unless a later test or fixture closed them \\(a traced run tells\\)\n").matcher(out);
		assertThat(late.find()).as(out).isTrue();
		long from = Math.round(Double.parseDouble(late.group(1)) * 1000);
		long by = Math.round(Double.parseDouble(late.group(2)) * 1000);
		// The server end closed 700 ms after the test scheduled it, a moment before the test ended: the bracket holds the
		// close, its width the time between two checks' reads, and the grace advised is its upper end.
		assertThat(from).isLessThan(700).isLessThan(by);
		assertThat(Long.parseLong(late.group(3))).isEqualTo(by);
		assertThat(out).doesNotContain("undecided:");
		String md = Files.readString(reports.resolve("report.md"));
		String bracket = "between " + late.group(1) + " s and " + late.group(2) + " s";
		// Each end has its own bracket, within the class's: one read is not one moment, and a read may list the server
		// end a moment before its close ends the client end's FIN_WAIT2, which it then misses.
		Matcher row = Pattern.compile("\\| CLOSE_WAIT \\| server end \\| 127\\.0\\.0\\.1:" + late().serverPort()
				+ " \\| 127\\.0\\.0\\.1:" + late().clientPort()
				+ " \\| 1 \\| closed late, between (\\d+\\.\\d) s and (\\d+\\.\\d) s after its test \\|\n").matcher(md);
		assertThat(row.find()).as(md).isTrue();
		assertThat(Math.round(Double.parseDouble(row.group(1)) * 1000)).isBetween(from, by);
		assertThat(Math.round(Double.parseDouble(row.group(2)) * 1000)).isBetween(from, by);
		assertThat(md).contains("| CLOSE_WAIT | server end | 127.0.0.1:" + leak.serverPort() + " | 127.0.0.1:" + leak.clientPort()
					+ " | 1 | still lingering at the end of the run |\n")
			.contains("\n- **Leaks**: 2 sockets: 2 still lingering at the end of the run. No grace passes a leak: fix the"
					+ " code that holds them.\n- **Closed late**: 2 sockets, by test class below: a larger `nolinger.grace`"
					+ " passes them, or close what holds them before the test ends.\n\n"
					+ "| test class | closed late | smallest grace that passes | tests it passes |\n| --- | --- | --- | ---: |\n"
					+ "| SuiteReportListenerTests$LateCloseTestCases | 2 sockets closed " + bracket + " after their test | `nolinger.grace="
					+ by + "ms` | 1 |\n");
		assertThat(Files.readString(reports.resolve("report.json"))).contains("\n  \"closedLate\": 2,\n  \"leaks\": 2,\n")
			.contains("\n  \"lateCloses\": [\n    {\"testClass\": \"SuiteReportListenerTests$LateCloseTestCases\", \"sockets\": 2,"
					+ " \"closedFromMillis\": ")
			.contains(", \"grace\": \"" + by + "ms\", \"testsPassed\": 1, \"testsThatLeakedToo\": 0, \"closerSeen\": false}\n"
					+ "  ],\n");
	}

	private static LoopbackConnections.Pair late() {
		return late;
	}

	@Test
	void aLeaksFinWait2TheKernelDropsBesideItsCloseWaitIsHalfOfALeakNeverALateClose() throws Exception {
		LoopbackConnections.Pair pair = LoopbackConnections.serverNeverCloses();
		SocketTableProcSource source = new SocketTableProcSource(Path.of("/proc/net"));
		TcpSocket closeWait = null;
		TcpSocket finWait2 = null;
		// both states arrive within a round trip on loopback; bounded for a loaded machine
		for (int i = 0; i < 100 && (closeWait == null || finWait2 == null); i++) {
			if (i > 0) {
				Thread.sleep(50);
			}
			closeWait = null;
			finWait2 = null;
			for (TcpSocket socket : source.read().sockets()) {
				if (socket.state() == TcpState.CLOSE_WAIT && socket.local().port() == pair.accepted().getLocalPort()
						&& socket.remote().port() == pair.accepted().getPort()) {
					closeWait = socket;
				}
			}
			for (TcpSocket socket : source.read().sockets()) {
				if (closeWait != null && socket.state() == TcpState.FIN_WAIT2 && socket.tuple().equals(closeWait.tuple().mirror())) {
					finWait2 = socket;
				}
			}
		}
		assertThat(closeWait).isNotNull();
		assertThat(finWait2).isNotNull();
		TcpSocket orphan = finWait2;
		long failedAt = System.nanoTime();
		SuiteReportRecords.watch(List.of(
				new Finding(finWait2, new Ownership(OwnershipRule.MIRROR, closeWait), Finding.Role.CLIENT, closeWait),
				new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, finWait2)), failedAt,
				failedAt);
		try {
			// The kernel drops a FIN_WAIT2 orphan after tcp_fin_timeout (60 s here): the end-of-run read of the real
			// table, without the orphan, is what that read would list while the server end stays in CLOSE_WAIT.
			long readStart = System.nanoTime();
			SocketTable withoutOrphan = SocketTable.of(
					source.read().sockets().stream().filter(s -> !s.tuple().equals(orphan.tuple())).toList());
			assertThat(withoutOrphan.find(closeWait.tuple()).key()).isEqualTo(closeWait.key());
			SuiteReportRecords.observe(withoutOrphan, java.util.EnumSet.allOf(TcpState.class), readStart, System.nanoTime());

			SuiteReportFate finWait2Fate = SuiteReportRecords.fate(SuiteReportRecords.watchKey(TcpState.FIN_WAIT2,
					finWait2.local().toString(), finWait2.remote().toString()));
			SuiteReportFate closeWaitFate = SuiteReportRecords.fate(SuiteReportRecords.watchKey(TcpState.CLOSE_WAIT,
					closeWait.local().toString(), closeWait.remote().toString()));
			assertThat(finWait2Fate.text()).isEqualTo("half of a leak: the kernel dropped this FIN_WAIT2 after tcp_fin_timeout"
					+ " while its other end stayed in CLOSE_WAIT");
			assertThat(closeWaitFate.text()).isEqualTo("still lingering at the end of the run");
			SuiteReport report = new SuiteReport(List.of(new SuiteReport.Test("[engine:junit-jupiter]/[class:p.LeakyIT]/[method:leaks()]",
					"LeakyIT.leaks()", 0, true,
					List.of(new SuiteReport.Socket(TcpState.CLOSE_WAIT, "server end", closeWait.local().toString(),
							closeWait.remote().toString(), 1, closeWait.local().port(), closeWaitFate),
							new SuiteReport.Socket(TcpState.FIN_WAIT2, "client end", finWait2.local().toString(),
									finWait2.remote().toString(), 2, closeWait.local().port(), finWait2Fate)))));
			assertThat(report.closedLate()).isZero();
			assertThat(report.leaks()).isEqualTo(2);
			assertThat(report.consoleSummary("report.md")).contains("\n  leaks:        2 sockets: 1 still lingering at the end"
					+ " of the run, 1 FIN_WAIT2 dropped by the kernel while its other end stayed in CLOSE_WAIT (half of a leak)."
					+ " No grace passes a leak: fix the code that holds them\n")
				.doesNotContain("closed late:");
			assertThat(report.markdown()).contains("\n- **Leaks**: 2 sockets: 1 still lingering at the end of the run, 1"
					+ " FIN_WAIT2 dropped by the kernel while its other end stayed in CLOSE_WAIT (half of a leak). No grace"
					+ " passes a leak: fix the code that holds them.\n- **Closed late**: none.\n")
				.doesNotContain("raise `nolinger.grace`");
			assertThat(report.json()).contains("\n  \"finWait2DroppedBesideCloseWait\": 1,\n");
		}
		finally {
			SuiteReportRecords.forgetWatched();
		}
	}

	/** What a run through the launcher printed, and its summary. */
	record Launched(TestExecutionSummary summary, String out) {
	}

	/** Runs {@code classes} through the launcher, its report written to {@code reports}, and captures what it prints. */
	static Launched launch(Path reports, String grace, Class<?>... classes) {
		return launch(reports, grace, java.util.Map.of(), classes);
	}

	/** The same, with more configuration parameters. */
	static Launched launch(Path reports, String grace, java.util.Map<String, String> parameters, Class<?>... classes) {
		ByteArrayOutputStream captured = new ByteArrayOutputStream();
		PrintStream original = System.out;
		SummaryGeneratingListener summary = new SummaryGeneratingListener();
		System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
		try {
			LauncherFactory.create()
				.execute(LauncherDiscoveryRequestBuilder.request()
					.selectors(Stream.of(classes).map(DiscoverySelectors::selectClass).toList())
					.configurationParameters(parameters)
					.configurationParameter("nolinger.grace", grace)
					.configurationParameter("nolinger.report.dir", reports.toString())
					.build(), summary);
		}
		finally {
			System.setOut(original);
		}
		return new Launched(summary.getSummary(), captured.toString(StandardCharsets.UTF_8));
	}

	static LoopbackConnections.Pair late;

	static java.util.concurrent.ScheduledExecutorService lateCloser;

	@NoLingeringSockets
	@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
	static class LateCloseTestCases {

		@Test
		@org.junit.jupiter.api.Order(1)
		void closesLate() {
			late = LoopbackConnections.serverNeverCloses();
			lateCloser = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
			// Like a server handler that holds an async response: its end closes after the test's grace.
			lateCloser.schedule(() -> LoopbackConnections.close(late.accepted()), 700, java.util.concurrent.TimeUnit.MILLISECONDS);
		}

		@Test
		@org.junit.jupiter.api.Order(2)
		void leaks() {
			leak = LoopbackConnections.serverNeverCloses();
		}

		/** Clean tests, whose checks read the table every 100 ms or so: they place the late close between two reads. */
		@org.junit.jupiter.api.RepeatedTest(15)
		@org.junit.jupiter.api.Order(3)
		void cleanButSlow() throws InterruptedException {
			LoopbackConnections.cleanlyClosed();
			Thread.sleep(100);
		}

		@Test
		@org.junit.jupiter.api.Order(4)
		void aborted() {
			org.junit.jupiter.api.Assumptions.assumeTrue(false, "not on this machine");
		}

		@Test
		@org.junit.jupiter.api.Disabled("never runs")
		void disabled() {
		}
	}

	@NoLingeringSockets
	static class LeakyTestCases {

		@Test
		void leaks() {
			leak = LoopbackConnections.serverNeverCloses();
		}

		@Test
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}
	}

	@NoLingeringSockets
	static class CleanTestCases {

		@Test
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}
	}
}
