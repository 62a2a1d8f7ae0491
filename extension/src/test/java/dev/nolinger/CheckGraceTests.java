/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The grace wait and the two-reads confirmation, on tables captured around real closes and served
 * in a scripted order: how many reads the wait makes tells where it stopped, whatever the clock did.
 */
class CheckGraceTests {

	private static final Set<TcpState> DEFAULT_STATES = CheckConfiguration.DEFAULT_STATES;

	private final Properties history = CapturedTables.properties("history.properties");

	private final Properties settling = CapturedTables.properties("settling.properties");

	/** Reads after the snapshot's. */
	private int reads = -1;

	@Test
	void cleanFirstReadIsConfirmedWithoutASecondRead() throws Exception {
		Scripted check = scripted(historyInodes(), "history-before", "history-before");

		List<Finding> findings = confirmed(check, Duration.ofSeconds(5), 0);

		assertThat(findings).isEmpty();
		assertThat(this.reads).isEqualTo(1);
	}

	@Test
	void findingsWithinWhatIsAllowedAreConfirmedByOneMoreReadWithoutWaiting() throws Exception {
		Scripted check = scripted(historyInodes(), "history-before", "history-after");

		List<Finding> findings = confirmed(check, Duration.ofSeconds(5), 2);

		assertThat(findings).extracting(f -> f.socket().state())
			.containsExactlyInAnyOrder(TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2);
		assertThat(this.reads).as("the first read and its confirmation, no wait").isEqualTo(2);
	}

	@Test
	void withoutGraceFindingsAreConfirmedByOneMoreRead() throws Exception {
		Scripted check = scripted(historyInodes(), "history-before", "history-after");

		List<Finding> findings = confirmed(check, Duration.ZERO, 0);

		assertThat(findings).extracting(f -> f.socket().state())
			.containsExactlyInAnyOrder(TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2);
		assertThat(this.reads).isEqualTo(2);
	}

	@Test
	void findingsGoneDuringTheGraceEndTheWaitAtTheFirstCleanRead() throws Exception {
		Scripted check = scripted(historyInodes(), "history-before", "history-after", "history-before");

		List<Finding> findings = confirmed(check, Duration.ofSeconds(30), 0);

		assertThat(findings).isEmpty();
		assertThat(this.reads).as("the wait stopped at its first read, long before the grace ended").isEqualTo(2);
	}

	@Test
	void findingsThatOutliveTheGraceAreReadUntilItEnds() throws Exception {
		Scripted check = scripted(historyInodes(), "history-before", "history-after");

		List<Finding> findings = confirmed(check, Duration.ofSeconds(1), 0);

		assertThat(findings).extracting(f -> f.socket().state())
			.containsExactlyInAnyOrder(TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2);
		assertThat(this.reads).as("more than one read during the grace").isGreaterThan(2);
	}

	@Test
	void graceShorterThanFourPollIntervalsPollsAQuarterOfIt() throws Exception {
		// A poll interval longer than the grace is an error in Awaitility, so this pins the interval's choice.
		Scripted check = scripted(historyInodes(), "history-before", "history-after");

		List<Finding> findings = confirmed(check, Duration.ofMillis(40), 0);

		assertThat(findings).extracting(f -> f.socket().state())
			.containsExactlyInAnyOrder(TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2);
	}

	@Test
	void socketStillSettlingKeepsTheWaitGoingAndCountsOnlyOnceItSettled() throws Exception {
		// capture-settling.py: the client's FIN_WAIT1 (ours as the mirror of our server end), then FIN_WAIT2.
		Scripted check = scripted(Set.of(id(this.settling, "server.inode"), id(this.settling, "listener.inode")),
				"history-before", "settling-closing", "settling-closing", "settling-settled");

		List<Finding> findings = confirmed(check, Duration.ofSeconds(30), 2);

		assertThat(findings)
			.as("the FIN_WAIT2 was seen settling into it the read before; the new CLOSE_WAIT only once")
			.singleElement()
			.satisfies(f -> assertThat(f.socket().state()).isEqualTo(TcpState.FIN_WAIT2));
		assertThat(this.reads).as("the first read, one still settling, one settled within what is allowed").isEqualTo(3);
	}

	@Test
	void failedReadEndsTheWaitAndIsThrown() throws Exception {
		Scripted check = scripted(historyInodes(), "history-before", "history-after", "fail");

		assertThatThrownBy(() -> confirmed(check, Duration.ofSeconds(30), 0)).isInstanceOf(SocketTableException.class)
			.hasMessage("scripted failure");
		assertThat(this.reads).as("the wait stopped at the failed read").isEqualTo(2);
	}

	@Test
	void aVerdictWaitsOutTheGraceForFindingsTheBaselineDoesNotExcuse() throws Exception {
		Scripted check = scripted(historyInodes(), "history-before", "history-after", "history-after", "history-before");
		CheckSnapshot snapshot = check.check().snapshot(DEFAULT_STATES);

		CheckVerdict verdict = check.check().judge(snapshot, new CheckSettings(DEFAULT_STATES, 0, Duration.ofSeconds(30)),
				findings -> findings, "CheckGraceTests");

		assertThat(verdict.findings()).as("closed during the grace").isEmpty();
		assertThat(verdict.failed()).isFalse();
		assertThat(this.reads).as("the first read, one still lingering, the clean one").isEqualTo(3);
	}

	@Test
	void aVerdictDoesNotWaitForFindingsTheBaselineExcusesAndReportsThemWithoutFailing() throws Exception {
		Scripted check = scripted(historyInodes(), "history-before", "history-after");
		CheckSnapshot snapshot = check.check().snapshot(DEFAULT_STATES);

		CheckVerdict verdict = check.check().judge(snapshot, new CheckSettings(DEFAULT_STATES, 0, Duration.ofSeconds(30)),
				findings -> List.of(), "CheckGraceTests");

		assertThat(verdict.findings()).extracting(f -> f.socket().state())
			.containsExactlyInAnyOrder(TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2);
		assertThat(verdict.beyond()).isEmpty();
		assertThat(verdict.failed()).isFalse();
		assertThat(this.reads).as("confirmed by one more read, with no wait").isEqualTo(2);
	}

	@Test
	void aFindingThatLosesItsFdDuringTheGraceIsStillOursBecauseTheReadBeforeSawIt() throws Exception {
		// Our client end half-closed toward a peer in another process, then its fd closed during the grace.
		SocketTuple tuple = new SocketTuple(Endpoint.ipv4(0x7F00_0001, 40_000), Endpoint.ipv4(0x7F00_0001, 8080));
		TcpSocket held = new TcpSocket("tcp", 0, tuple, TcpState.FIN_WAIT2, 0, 0, 0, 0, 0, 1000, 0, 42);
		TcpSocket orphan = new TcpSocket("tcp", 0, tuple, TcpState.FIN_WAIT2, 0, 0, 0, 0, 0, 0, 0, 0);
		Check check = new Check(served(SocketTable.of(List.of()), SocketTable.of(List.of(held)), SocketTable.of(List.of(orphan))),
				() -> Set.of(42L), CheckSocketActivity.UNTRACED, true);
		CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);

		List<Finding> findings = CheckGrace.confirmedFindings(check, snapshot,
				new CheckSettings(DEFAULT_STATES, 0, Duration.ofMillis(500)), List::size, 0, "CheckGraceTests");

		assertThat(findings).singleElement().satisfies(finding -> {
			assertThat(finding.socket()).isEqualTo(orphan);
			assertThat(finding.ownership().rule()).isEqualTo(OwnershipRule.SEEN_BEFORE);
		});
	}

	@Test
	void aSocketSettlingIntoAStateNoCheckJudgesDoesNotHoldTheWait() throws Exception {
		// Our server end in LAST_ACK, which settles into CLOSE: nothing a check judges.
		TcpSocket lastAck = new TcpSocket("tcp", 0,
				new SocketTuple(Endpoint.ipv4(0x7F00_0001, 8080), Endpoint.ipv4(0x7F00_0001, 40_000)), TcpState.LAST_ACK, 0, 0,
				0, 0, 0, 1000, 0, 42);
		Check check = new Check(served(SocketTable.of(List.of()), SocketTable.of(List.of(lastAck))), () -> Set.of(42L),
				CheckSocketActivity.UNTRACED, true);
		CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);

		List<Finding> findings = CheckGrace.confirmedFindings(check, snapshot,
				new CheckSettings(DEFAULT_STATES, 0, Duration.ofSeconds(1)), List::size, 0, "CheckGraceTests");

		assertThat(findings).isEmpty();
		assertThat(this.reads).as("clean at the first read: no wait").isEqualTo(1);
	}

	/** Serves the tables in order, the last one again and again. */
	private SocketTableSource served(SocketTable... tables) {
		Deque<SocketTable> queue = new ArrayDeque<>(List.of(tables));
		return new ScriptedTableSource("tables built in the test", states -> {
			this.reads++;
			return queue.size() > 1 ? queue.poll() : queue.peek();
		});
	}

	private List<Finding> confirmed(Scripted scripted, Duration grace, int allowed) throws SocketTableException {
		CheckSnapshot snapshot = scripted.check().snapshot(DEFAULT_STATES);
		return CheckGrace.confirmedFindings(scripted.check(), snapshot, new CheckSettings(DEFAULT_STATES, allowed, grace),
				List::size, allowed, "CheckGraceTests");
	}

	private record Scripted(Check check) {
	}

	/** Serves the captures in order, the last one again and again; "fail" makes that read fail. */
	private Scripted scripted(Set<Long> inodes, String... captures) {
		Deque<String> queue = new ArrayDeque<>(List.of(captures));
		SocketTableSource source = new ScriptedTableSource("scripted captures", states -> {
			this.reads++;
			String capture = queue.size() > 1 ? queue.poll() : queue.peek();
			if (capture.equals("fail")) {
				throw new SocketTableException("scripted failure");
			}
			return ScriptedTableSource.filtered(CapturedTables.table(capture), states);
		});
		return new Scripted(new Check(source, () -> inodes, CheckSocketActivity.UNTRACED, true));
	}

	private Set<Long> historyInodes() {
		return Set.of(id(this.history, "b.listener.inode"), id(this.history, "b.server.inode"),
				id(this.history, "b.client.inode"));
	}

	private static long id(Properties properties, String key) {
		return Long.parseLong(properties.getProperty(key));
	}

	private static long ms(long millis) {
		return millis * 1_000_000;
	}

	@Test
	void timeTheWaitingThreadWasNeitherAsleepNorRunningIsCreditedBackToTheGraceUpToABound() {
		long[] now = { ms(10_000) };
		long[] cpu = { ms(3) };
		CheckGrace.Stalls stalls = new CheckGrace.Stalls(Duration.ofSeconds(1), Duration.ofMillis(50), () -> now[0],
				() -> cpu[0]);

		// a read of 5 ms on the CPU, a sleep of 50 ms, woken 1 ms late
		now[0] += ms(56);
		cpu[0] += ms(5);
		stalls.polling();
		assertThat(stalls.credited()).as("timer slack, not a stall").isZero();
		// a read that took 900 ms of which 10 ms on the CPU, then the sleep: stopped during the read
		now[0] += ms(900 + 50);
		cpu[0] += ms(10);
		stalls.polling();
		assertThat(stalls.credited()).as("890 ms not running, less the 2 ms of slack").isEqualTo(ms(888));
		now[0] = ms(10_000 + 1_000);
		assertThat(stalls.graceUsedUp()).as("1 s of wall time, of which 0.888 s this JVM did not run").isFalse();
		now[0] = ms(10_000 + 1_888);
		assertThat(stalls.graceUsedUp()).isTrue();

		now[0] += ms(50 + 5_000);
		stalls.polling();
		assertThat(stalls.credited()).as("never more than the grace again").isEqualTo(ms(1_000));
	}

	/** A stop during a poll's read is credited at its end, before the grace is judged used up, not at the next poll. */
	@Test
	void aStopDuringAReadIsCreditedBeforeTheGraceIsJudged() {
		long[] now = { 0 };
		long[] cpu = { 0 };
		CheckGrace.Stalls stalls = new CheckGrace.Stalls(Duration.ofSeconds(3), Duration.ofMillis(50), () -> now[0],
				() -> cpu[0]);

		// 1 s of polls that woke on time, then a poll whose read is stopped for 2.5 s (1 ms of it on the CPU)
		for (int poll = 0; poll < 20; poll++) {
			now[0] += ms(50);
			stalls.polling();
		}
		assertThat(stalls.credited()).isZero();
		now[0] += ms(2_501);
		cpu[0] += ms(1);
		stalls.read();

		assertThat(stalls.credited()).as("2.5 s not running, less the 2 ms of slack").isEqualTo(ms(2_498));
		assertThat(stalls.graceUsedUp()).as("3.5 s of wall time, of which 2.498 s this JVM did not run").isFalse();
		now[0] += ms(50);
		stalls.polling();
		assertThat(stalls.credited()).as("the sleep after the read, on time: nothing more").isEqualTo(ms(2_498));
	}

	@Test
	void withoutTheThreadsCpuTimeOnlyTheSleepsLatenessIsCredited() {
		long[] now = { 0 };
		CheckGrace.Stalls stalls = new CheckGrace.Stalls(Duration.ofSeconds(1), Duration.ofMillis(50), () -> now[0],
				() -> -1);

		now[0] += ms(50 + 300);
		stalls.polling();

		assertThat(stalls.credited()).isEqualTo(ms(298));
	}

	@Test
	void theCreditIsTheGraceAgainAtLeastOneSecondAndAtMostTen() {
		assertThat(CheckGrace.Stalls.maxCredit(Duration.ofMillis(200))).isEqualTo(Duration.ofSeconds(1));
		assertThat(CheckGrace.Stalls.maxCredit(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
		assertThat(CheckGrace.Stalls.maxCredit(Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(10));
	}
}
