/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a socket that failed its test ended, as the summary says it: a late close with the bracket
 * it closed in and the grace that passes it, or a leak (closed by the JDK's cleaner, by something
 * long after the test, or never), never the two in one line of advice. The late close itself is
 * asserted on a real run in {@link SuiteReportListenerTests}; here the cleaner's close runs for
 * real too, and the rules that turn brackets into advice are checked one by one.
 */
class LateCloseTests {

	@AfterEach
	void closeAll() {
		LoopbackConnections.closeAll();
		SuiteReportRecords.forgetWatched();
	}

	@Test
	void aSocketTheJdksCleanerClosesAfterItFailedItsTestIsALeakInTheSummaryNeverALateClose(@TempDir Path reports)
			throws Exception {
		SuiteReportListenerTests.Launched run = SuiteReportListenerTests.launch(reports, "200ms", CleanerTestCases.class);

		assertThat(run.summary().getTestsFailedCount()).isEqualTo(1);
		String out = run.out();
		assertThat(out).contains("nolinger: 5 tests checked, 1 failed for lingering sockets, 2 lingering sockets.")
			.contains("\n  leaks:        2 sockets: 2 ended when the JDK's cleaner closed them or their other ends,"
					+ " garbage-collected without close(). No grace passes a leak: fix the code that holds them\n")
			.doesNotContain("closed late:")
			.doesNotContain("nolinger.grace=");
		String md = Files.readString(reports.resolve("report.md"));
		Matcher closeWait = Pattern.compile("\\| CLOSE_WAIT \\| server end \\| 127\\.0\\.0\\.1:" + dropped.serverPort()
				+ " \\| 127\\.0\\.0\\.1:" + dropped.clientPort() + " \\| 1 \\| a leak: closed by the JDK's cleaner (\\d+\\.\\d) s"
				+ " after its test, as its socket was garbage-collected without close\\(\\) \\|\n").matcher(md);
		assertThat(closeWait.find()).as(md).isTrue();
		assertThat(md).contains("| FIN_WAIT2 | client end | 127.0.0.1:" + dropped.clientPort() + " | 127.0.0.1:"
				+ dropped.serverPort() + " | 2 | half of a leak: ended " + closeWait.group(1) + " s after its test, when the"
				+ " JDK's cleaner closed its other end, garbage-collected without close() |\n")
			.contains("\n- **Closed late**: none.\n");
		assertThat(Files.readString(reports.resolve("report.json"))).contains("\n  \"closedLate\": 0,\n  \"leaks\": 2,\n"
				+ "  \"closedByCleaner\": 2,\n");
	}

	static LoopbackConnections.Pair dropped;

	@NoLingeringSockets
	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class CleanerTestCases {

		@Test
		@Order(1)
		void dropsTheServerEndWithoutClosingIt() {
			dropped = LoopbackConnections.serverNeverCloses();
			// What the agent's accept hook reports.
			LedgerEvents.accepted(dropped.accepted(), (InetSocketAddress) dropped.accepted().getLocalSocketAddress(),
					(InetSocketAddress) dropped.accepted().getRemoteSocketAddress());
		}

		@Test
		@Order(2)
		void theCleanerClosesIt() throws InterruptedException {
			// What the JDK's cleaner does for a socket collected without close(), on its own thread: the agent's hook in
			// its action reports it (LedgerAgentTests shows the hook on a real GC), then its fd closes.
			Thread cleaner = new Thread(() -> {
				LedgerEvents.cleaned(dropped.accepted());
				LoopbackConnections.close(dropped.accepted());
			}, "Common-Cleaner");
			cleaner.start();
			cleaner.join(10_000);
		}

		/** Clean tests whose checks read the table: they see both ends gone. */
		@RepeatedTest(3)
		@Order(3)
		void clean() throws InterruptedException {
			LoopbackConnections.cleanlyClosed();
			Thread.sleep(50);
		}
	}

	@Test
	void tracedAnEndClosedByAnotherThreadIsALateCloseAndOneClosedByAFixtureOnTheTestsThreadALeak(@TempDir Path reports)
			throws Exception {
		SuiteReportListenerTests.Launched run = SuiteReportListenerTests.launch(reports, "200ms",
				TracedCloserTestCases.class);

		assertThat(run.summary().getTestsFailedCount()).isEqualTo(2);
		String out = run.out();
		assertThat(out).contains("\n  leaks:        2 sockets: 2 closed later on their test's own thread, by a later test"
				+ " or a fixture such as @AfterAll, which the grace keeps from running. No grace passes a leak: fix the code"
				+ " that holds them\n");
		Matcher late = Pattern.compile("\n  closed late:  LateCloseTests\\$TracedCloserTestCases: 2 sockets closed between"
				+ " (\\d+\\.\\d) s and (\\d+\\.\\d) s after their test; nolinger\\.grace=(\\d+)ms would have passed its 1"
				+ " test\n").matcher(out);
		assertThat(late.find()).as(out).isTrue();
		// The bracket counts from the test's end, which came after the close was scheduled: so it starts before the
		// close, however late a loaded machine ran the worker (400 ms after scheduling, when nothing delays it).
		assertThat(Math.round(Double.parseDouble(late.group(1)) * 1000))
			.isLessThan(TimeUnit.NANOSECONDS.toMillis(closedAt - scheduledAt));
		// Who closed the worker's socket, and its other end, as the ledger saw the close.
		assertThat(Files.readString(reports.resolve("report.md"))).containsPattern("\\| CLOSE_WAIT \\| server end \\| 127.0.0.1:"
				+ byWorker.serverPort() + " \\| 127.0.0.1:" + byWorker.clientPort() + " \\| 1 \\| closed late, between \\d+\\.\\d s and"
				+ " \\d+\\.\\d s after its test, by thread \"server-worker\" at dev\\.nolinger\\.LateCloseTests\\.closeTraced\\("
				+ "LateCloseTests\\.java:\\d+\\) \\|\n")
			.containsPattern("\\| FIN_WAIT2 \\| client end \\| 127.0.0.1:" + byWorker.clientPort() + " \\| 127.0.0.1:"
					+ byWorker.serverPort() + " \\| 2 \\| closed late, between \\d+\\.\\d s and \\d+\\.\\d s after its test, when"
					+ " thread \"server-worker\" closed its other end at dev\\.nolinger\\.LateCloseTests\\.closeTraced\\(");
		assertThat(Files.readString(reports.resolve("report.md"))).contains("| CLOSE_WAIT | server end | 127.0.0.1:"
				+ byFixture.serverPort() + " | 127.0.0.1:" + byFixture.clientPort() + " | 1 | a leak: closed between ")
			.contains(" after its test, on its test's own thread, by a later test or a fixture such as @AfterAll; no grace"
					+ " passes it |\n");
	}

	@Test
	void aSocketClosedMoreThanTenSecondsAfterItsTestOnARealRunIsALeakNotALateClose(@TempDir Path reports)
			throws Exception {
		SuiteReportListenerTests.Launched run = SuiteReportListenerTests.launch(reports, "200ms", EvictedTestCases.class);

		assertThat(run.summary().getTestsFailedCount()).isEqualTo(1);
		assertThat(run.out()).contains("\n  leaks:        2 sockets: 2 closed more than 10 s after their test, by something"
				+ " other than the teardown (a pool's idle eviction, a timeout). No grace passes a leak: fix the code that"
				+ " holds them\n")
			.doesNotContain("closed late:")
			.doesNotContain("nolinger.grace=");
		assertThat(Files.readString(reports.resolve("report.md"))).containsPattern("\\| CLOSE_WAIT \\| server end \\| 127\\.0\\.0"
				+ "\\.1:" + evicted.serverPort() + " \\| 127\\.0\\.0\\.1:" + evicted.clientPort() + " \\| 1 \\| a leak: closed"
				+ " between 1\\d\\.\\d s and 1\\d\\.\\d s after its test, more than 10 s after it, so not by the test's"
				+ " teardown \\(a pool's idle eviction or a timeout\\?\\) \\|\n");
	}

	static LoopbackConnections.Pair evicted;

	@NoLingeringSockets
	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class EvictedTestCases {

		@Test
		@Order(1)
		void leavesAConnectionInAPoolThatEvictsItLater() {
			evicted = LoopbackConnections.serverNeverCloses();
			// Like a pool's idle eviction, on its own thread, 11 s later (pools evict after 30 s and more).
			Thread evictor = new Thread(() -> {
				try {
					Thread.sleep(11_000);
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
				LoopbackConnections.close(evicted.accepted());
			}, "pool-evictor");
			evictor.setDaemon(true);
			evictor.start();
		}

		/** Clean tests whose checks read the table about every 250 ms for 12 s. */
		@RepeatedTest(48)
		@Order(2)
		void clean() throws InterruptedException {
			LoopbackConnections.cleanlyClosed();
			Thread.sleep(250);
		}
	}

	static LoopbackConnections.Pair byWorker;

	/** When the test scheduled the worker's close, and when the worker had closed ({@link System#nanoTime()}). */
	static volatile long scheduledAt;
	static volatile long closedAt;

	static LoopbackConnections.Pair byFixture;

	private static void traced(LoopbackConnections.Pair pair) {
		// What the agent's accept hook reports.
		LedgerEvents.accepted(pair.accepted(), (InetSocketAddress) pair.accepted().getLocalSocketAddress(),
				(InetSocketAddress) pair.accepted().getRemoteSocketAddress());
	}

	private static void closeTraced(LoopbackConnections.Pair pair) {
		LoopbackConnections.close(pair.accepted());
		// What the agent's close hook reports, on the closing thread.
		LedgerEvents.closed(pair.accepted());
	}

	@NoLingeringSockets
	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class TracedCloserTestCases {

		@Test
		@Order(1)
		void leavesAnEndItsServerWorkerClosesLater() {
			byWorker = LoopbackConnections.serverNeverCloses();
			traced(byWorker);
			scheduledAt = System.nanoTime();
			Thread worker = new Thread(() -> {
				try {
					Thread.sleep(400);
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
				closeTraced(byWorker);
				closedAt = System.nanoTime();
			}, "server-worker");
			worker.setDaemon(true);
			worker.start();
		}

		@Test
		@Order(2)
		void leavesAnEndTheClassFixtureCloses() {
			byFixture = LoopbackConnections.serverNeverCloses();
			traced(byFixture);
		}

		/** Clean tests whose checks read the table every 100 ms or so. */
		@RepeatedTest(8)
		@Order(3)
		void clean() throws InterruptedException {
			LoopbackConnections.cleanlyClosed();
			Thread.sleep(100);
		}

		@AfterAll
		static void closeTheFixture() {
			closeTraced(byFixture);
		}
	}

	private static final String ID = "[engine:junit-jupiter]/[class:p.%s]/[method:%s()]";

	private static SuiteReport.Socket socket(TcpState state, int port, SuiteReportFate fate) {
		return new SuiteReport.Socket(state, state == TcpState.CLOSE_WAIT ? "server end" : "client end", "127.0.0.1:" + port,
				"127.0.0.1:8080", 1, 8080, fate);
	}

	/** A close the ledger saw on a thread other than the test's: a server's, a timer's. */
	private static SuiteReportFate late(long fromMillis, long byMillis) {
		return new SuiteReportFate(SuiteReportFate.Kind.CLOSED_ON_ANOTHER_THREAD, fromMillis, byMillis);
	}

	private static SuiteReport.Test failed(String testClass, String method, int tolerance, SuiteReport.Socket... sockets) {
		return new SuiteReport.Test(ID.formatted(testClass, method), testClass + "." + method + "()", tolerance, true,
				List.of(sockets));
	}

	@Test
	void aSocketClosedLongAfterItsTestLikeByAPoolsIdleEvictionIsALeakAndGetsNoGrace() {
		SuiteReport report = new SuiteReport(List.of(failed("PooledIT", "fetches", 0,
				socket(TcpState.CLOSE_WAIT, 40001, SuiteReportFate.closed(60_100, 60_300)))));

		assertThat(report.consoleSummary("r.md")).contains("\n  leaks:        1 socket: 1 closed more than 10 s after its"
				+ " test, by something other than the teardown (a pool's idle eviction, a timeout). No grace passes a leak:"
				+ " fix the code that holds it\n  report:       r.md")
			.doesNotContain("closed late:")
			.doesNotContain("nolinger.grace=");
		assertThat(report.markdown()).contains("| a leak: closed between 60.1 s and 60.3 s after its test, more than 10 s after"
				+ " it, so not by the test's teardown (a pool's idle eviction or a timeout?) |\n");
		assertThat(report.closedBeyondBound()).isEqualTo(1);
		assertThat(report.leaks()).isEqualTo(1);
	}

	@Test
	void aCloseNoReadPlacesWithinTheBoundOrBeyondItIsUndecidedAndGetsNoAdvice() {
		SuiteReport report = new SuiteReport(List.of(failed("SlowIT", "serves", 0,
				socket(TcpState.CLOSE_WAIT, 40001, SuiteReportFate.closed(1_000, 162_480)))));

		assertThat(report.consoleSummary("r.md")).contains("\n  undecided:    1 socket closed between 1.0 s and 162.5 s"
				+ " after its test, and no read of the table in between tells a late close from a leak\n")
			.doesNotContain("leaks:")
			.doesNotContain("nolinger.grace=");
		assertThat(report.markdown()).contains("\n- **Leaks**: none.\n- **Closed late**: none.\n- **Undecided**: 1 socket"
				+ " closed between 1.0 s and 162.5 s after its test, and no read of the table in between tells a late close"
				+ " from a leak.\n");
	}

	@Test
	void theGraceAdvisedIsTheSmallestThatPassesEveryTestOfTheClassWithinItsTolerance() {
		SuiteReport.Test threeLate = failed("OrderIT", "places", 1, socket(TcpState.CLOSE_WAIT, 40001,
				late(300, 450)), socket(TcpState.CLOSE_WAIT, 40002, late(700, 880)),
				socket(TcpState.CLOSE_WAIT, 40003, late(1_400, 1_520)));
		SuiteReport.Test oneLate = failed("OrderIT", "cancels", 0, socket(TcpState.CLOSE_WAIT, 40004,
				late(500, 640)));

		assertThat(SuiteReport.graceThatPasses(threeLate)).as("tolerance 1: the last to close may stay, the second must go")
			.isEqualTo(900);
		assertThat(SuiteReport.graceThatPasses(oneLate)).isEqualTo(700);
		assertThat(new SuiteReport(List.of(threeLate, oneLate)).consoleSummary("r.md")).contains("\n  closed late:  OrderIT:"
				+ " 4 sockets closed between 0.3 s and 1.6 s after their test; nolinger.grace=900ms would have passed its 2"
				+ " tests\n");
	}

	@Test
	void aTestThatAlsoLeakedIsNeverPassedByAGraceAndTheLeakHasItsOwnLine() {
		SuiteReport report = new SuiteReport(List.of(
				failed("OrderIT", "places", 0, socket(TcpState.CLOSE_WAIT, 40001, late(1_400, 1_600))),
				failed("OrderIT", "leaks", 0, socket(TcpState.CLOSE_WAIT, 40002, late(1_400, 1_600)),
						socket(TcpState.CLOSE_WAIT, 40003, SuiteReportFate.LINGERING)),
				failed("AuditIT", "leaks", 0, socket(TcpState.CLOSE_WAIT, 40004, late(200, 300)),
						socket(TcpState.FIN_WAIT2, 40005, new SuiteReportFate(SuiteReportFate.Kind.CLEANER, 900, 900)))));

		assertThat(report.consoleSummary("r.md")).contains("""

				  leaks:        2 sockets: 1 still lingering at the end of the run, 1 ended when the JDK's cleaner closed it or its \
				other end, garbage-collected without close(). No grace passes a leak: fix the code that holds them
				  closed late:  AuditIT: 1 socket closed between 0.2 s and 0.3 s after its test; no grace would have passed its \
				test, which leaked other sockets too
				  closed late:  OrderIT: 2 sockets closed between 1.4 s and 1.6 s after their test; nolinger.grace=1600ms would \
				have passed its 1 test; not 1 test that leaked other sockets too
				  report:       r.md""");
		String json = report.json();
		assertThat(json).contains("\n  \"lateCloses\": [\n"
				+ "    {\"testClass\": \"AuditIT\", \"sockets\": 1, \"closedFromMillis\": 200, \"closedByMillis\": 300, \"grace\": null,"
				+ " \"testsPassed\": 0, \"testsThatLeakedToo\": 1, \"closerSeen\": true},\n"
				+ "    {\"testClass\": \"OrderIT\", \"sockets\": 2, \"closedFromMillis\": 1400, \"closedByMillis\": 1600, \"grace\":"
				+ " \"1600ms\", \"testsPassed\": 1, \"testsThatLeakedToo\": 1, \"closerSeen\": true}\n  ],\n");
	}

	@Test
	void fatesSurviveTheReportPartsOfForks() throws Exception {
		SuiteReport.Test test = failed("A", "t", 0, socket(TcpState.CLOSE_WAIT, 40001, SuiteReportFate.closed(1_400, 1_600)),
				socket(TcpState.FIN_WAIT2, 40002, new SuiteReportFate(SuiteReportFate.Kind.OTHER_END_CLEANER, 900, 900)),
				socket(TcpState.CLOSE_WAIT, 40003, SuiteReportFate.LINGERING),
				socket(TcpState.CLOSE_WAIT, 40004, SuiteReportFate.NONE));

		assertThat(SuiteReportFiles.deserialize(SuiteReportFiles.serialize(new SuiteReport(List.of(test)))))
			.containsExactly(test);
	}

	private static TcpSocket listed(TcpState state, int localPort, int remotePort) {
		return new TcpSocket("tcp", 0, new SocketTuple(Endpoint.ipv4(0x7F000001, localPort), Endpoint.ipv4(0x7F000001,
				remotePort)), state, 0, 0, 0, 0, 0, 0, 0, 0);
	}

	@Test
	void aReadThatMissesAWatchedSocketIsOverruledByALaterReadThatListsIt() {
		TcpSocket closeWait = listed(TcpState.CLOSE_WAIT, 40001, 50001);
		SuiteReportRecords.watch(List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null),
				Finding.Role.SERVER, null)), 1_000_000_000L, 1_200_000_000L);
		String key = SuiteReportRecords.watchKey(TcpState.CLOSE_WAIT, closeWait.local().toString(),
				closeWait.remote().toString());
		EnumSet<TcpState> all = EnumSet.allOf(TcpState.class);
		SocketTable without = SocketTable.of(List.of());
		SocketTable with = SocketTable.of(List.of(closeWait));

		SuiteReportRecords.observe(without, EnumSet.of(TcpState.FIN_WAIT2), 1_300_000_000L, 1_310_000_000L);
		assertThat(SuiteReportRecords.fate(key)).as("a read of other states says nothing of it")
			.isEqualTo(SuiteReportFate.LINGERING);
		SuiteReportRecords.observe(without, all, 1_100_000_000L, 1_250_000_000L);
		assertThat(SuiteReportRecords.fate(key)).as("a read that began before it was last seen says nothing of it")
			.isEqualTo(SuiteReportFate.LINGERING);
		SuiteReportRecords.observe(without, all, 1_400_000_000L, 1_410_000_000L);
		assertThat(SuiteReportRecords.fate(key)).isEqualTo(SuiteReportFate.closed(200, 410));
		SuiteReportRecords.observe(with, all, 1_500_000_000L, 1_501_000_000L);
		assertThat(SuiteReportRecords.fate(key)).as("listed again: the read before missed it").isEqualTo(SuiteReportFate.LINGERING);
		SuiteReportRecords.observe(without, all, 1_600_000_000L, 1_600_500_001L);
		assertThat(SuiteReportRecords.fate(key)).isEqualTo(SuiteReportFate.closed(500, 601));
		assertThat(SuiteReportRecords.watchedTuples()).as("gone: no longer looked up").isEmpty();
	}

	@Test
	void theCleanerClosingTheOtherEndOfAWatchedFinWait2EndsItAsHalfOfALeak() {
		TcpSocket finWait2 = listed(TcpState.FIN_WAIT2, 50001, 40001);
		SuiteReportRecords.watch(List.of(new Finding(finWait2, new Ownership(OwnershipRule.MIRROR, null),
				Finding.Role.CLIENT, null)), 1_000_000_000L, 1_200_000_000L);
		String key = SuiteReportRecords.watchKey(TcpState.FIN_WAIT2, finWait2.local().toString(),
				finWait2.remote().toString());
		assertThat(SuiteReportRecords.watchedTuples()).containsExactly(finWait2.tuple());

		SuiteReportRecords.cleaned(finWait2.tuple().mirror(), 1_700_000_000L);
		SuiteReportRecords.observe(SocketTable.of(List.of()), EnumSet.allOf(TcpState.class), 1_800_000_000L, 1_800_000_000L);

		assertThat(SuiteReportRecords.fate(key)).isEqualTo(new SuiteReportFate(SuiteReportFate.Kind.OTHER_END_CLEANER, 700,
				700));
		assertThat(SuiteReportRecords.fate(key).leak()).isTrue();
	}
}
