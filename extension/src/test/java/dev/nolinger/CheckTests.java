/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The attribution rules on tables captured around real closes by {@code capture-history.py}: two
 * {@code ::1} connections, A and B. Between the captures A's server end closed first (its client
 * never did), and B's client closed (its server never did).
 */
class CheckTests {

	private static final Set<TcpState> DEFAULT_STATES = CheckConfiguration.DEFAULT_STATES;

	private final Properties ids = CapturedTables.properties("history.properties");

	private final Set<Long> openInodes = new HashSet<>();

	private final AtomicInteger fdScans = new AtomicInteger();

	@Test
	void closeWaitWithOurInodeIsOursByRule1AndItsMinisocketMirrorByRule2() throws Exception {
		openInodes(id("b.listener.inode"), id("b.server.inode"), id("b.client.inode"));
		Check check = check("history-before", "history-after");

		List<Finding> findings = check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES);

		Finding closeWait = only(findings, TcpState.CLOSE_WAIT, port("b.listener.port"));
		Finding finWait2 = only(findings, TcpState.FIN_WAIT2, port("b.client.port"));
		assertThat(closeWait.ownership().rule()).isEqualTo(OwnershipRule.OPEN_FD);
		assertThat(closeWait.role()).isEqualTo(Finding.Role.SERVER);
		assertThat(closeWait.otherEnd()).isEqualTo(finWait2.socket());
		assertThat(finWait2.socket().inode()).isZero();
		assertThat(finWait2.ownership()).isEqualTo(new Ownership(OwnershipRule.MIRROR, closeWait.socket()));
		assertThat(finWait2.role()).isEqualTo(Finding.Role.CLIENT);
	}

	@Test
	void orphanOnOurListenersPortIsOursByRule3EvenWhenThePeerIsNot() throws Exception {
		// Only A's listener is ours: its client, now in CLOSE_WAIT, stands for another process.
		openInodes(id("a.listener.inode"));
		Check check = check("history-before", "history-after");

		List<Finding> findings = check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES);

		assertThat(findings).hasSize(1);
		Finding finding = findings.get(0);
		assertThat(finding.socket().state()).isEqualTo(TcpState.FIN_WAIT2);
		assertThat(finding.socket().local().port()).isEqualTo(port("a.listener.port"));
		assertThat(finding.ownership().rule()).isEqualTo(OwnershipRule.LISTENER);
		assertThat(finding.ownership().evidence().state()).isEqualTo(TcpState.LISTEN);
		assertThat(finding.role()).isEqualTo(Finding.Role.SERVER);
		assertThat(finding.otherEnd()).isNull();
	}

	@Test
	void orphanWhoseTupleWasOursAtAnEarlierObservationIsOursByRule4() throws Exception {
		// B's client was ours while connected; its peer stands for another process.
		openInodes(id("b.client.inode"));
		Check check = check("history-before", "history-after");
		CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);
		openInodes.clear();

		List<Finding> findings = check.findings(snapshot, DEFAULT_STATES);

		assertThat(findings).singleElement().satisfies(finding -> {
			assertThat(finding.socket().state()).isEqualTo(TcpState.FIN_WAIT2);
			assertThat(finding.socket().local().port()).isEqualTo(port("b.client.port"));
			assertThat(finding.ownership().rule()).isEqualTo(OwnershipRule.SEEN_BEFORE);
		});
	}

	@Test
	void anotherProcesssSocketsNeverCount() throws Exception {
		Check check = check("history-before", "history-after");

		assertThat(check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES)).isEmpty();
	}

	@Test
	void socketsAlreadyLingeringBeforeTheTestNeverCount() throws Exception {
		openInodes(id("b.listener.inode"), id("b.server.inode"), id("b.client.inode"));
		Check check = check("history-after", "history-after");

		assertThat(check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES)).isEmpty();
	}

	@Test
	void readsEveryCheckWhileThisJvmHoldsEstablishedSockets() throws Exception {
		// Established sockets of ours can move into CLOSE_WAIT without an fd opening or closing: no read is skipped.
		openInodes(id("b.listener.inode"), id("b.server.inode"), id("b.client.inode"));
		Check check = check("history-before", "history-before", "history-before", "history-after");

		CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);
		assertThat(snapshot.quiet()).isNull();
		assertThat(fdScans).as("one scan right after the snapshot's read").hasValue(1);
		assertThat(check.findings(snapshot, DEFAULT_STATES)).isEmpty();
		assertThat(check.snapshot(DEFAULT_STATES).quiet()).isNull();
		assertThat(check.findings(snapshot, DEFAULT_STATES)).hasSize(2);
	}

	@Test
	void onlyTheNamedStatesCount() throws Exception {
		openInodes(id("b.listener.inode"), id("b.server.inode"), id("b.client.inode"), id("a.listener.inode"));
		Set<TcpState> listen = Set.of(TcpState.LISTEN);
		Check check = check("history-after", "history-after");

		CheckSnapshot nothingBefore = new CheckSnapshot(Set.of(), List.of());
		assertThat(check.findings(nothingBefore, listen)).extracting(f -> f.socket().local().port())
			.containsExactlyInAnyOrder(port("a.listener.port"), port("b.listener.port"));
	}

	@Test
	void socketAlreadyClosingAtTheBaselineIsNotBlamedWhenItSettlesDuringTheTest() throws Exception {
		// capture-settling.py: a closed client stuck in FIN_WAIT1, then FIN_WAIT2 once the server read its data.
		Properties settling = CapturedTables.properties("settling.properties");
		openInodes(Long.parseLong(settling.getProperty("server.inode")), Long.parseLong(settling.getProperty("listener.inode")));
		Check check = check("settling-closing", "settling-settled");

		List<Finding> findings = check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES);

		assertThat(findings).as("the server end's CLOSE_WAIT is new; the client's FIN_WAIT2 only finished an earlier close")
			.singleElement()
			.satisfies(finding -> {
				assertThat(finding.socket().state()).isEqualTo(TcpState.CLOSE_WAIT);
				assertThat(finding.socket().remote().port()).isEqualTo(Integer.parseInt(settling.getProperty("client.port")));
			});
	}

	@Test
	void socketTheTestLeftClosingIsUnsettledUntilItReachesACheckedState() throws Exception {
		Properties settling = CapturedTables.properties("settling.properties");
		openInodes(Long.parseLong(settling.getProperty("server.inode")), Long.parseLong(settling.getProperty("listener.inode")));
		Check check = check("history-before", "settling-closing", "settling-settled");
		CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);

		CheckObservation closing = check.observe(snapshot, DEFAULT_STATES);
		CheckObservation settled = check.observe(snapshot, DEFAULT_STATES);

		assertThat(closing.findings()).isEmpty();
		assertThat(closing.unsettled()).as("the client's FIN_WAIT1, ours as the mirror of our server end").isEqualTo(1);
		assertThat(settled.unsettled()).isZero();
		assertThat(settled.findings()).extracting(f -> f.socket().state())
			.containsExactlyInAnyOrder(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT);
	}

	@Test
	void timeWaitIsReadOnlyWhenAStateItIsTheOtherEndOfIsChecked() {
		Set<TcpState> withoutTimeWait = EnumSet.complementOf(EnumSet.of(TcpState.TIME_WAIT));
		assertThat(Check.observedStates(DEFAULT_STATES)).isEqualTo(withoutTimeWait);
		assertThat(Check.observedStates(EnumSet.of(TcpState.ESTABLISHED))).isEqualTo(withoutTimeWait);
		for (TcpState checked : List.of(TcpState.LAST_ACK, TcpState.CLOSING, TcpState.TIME_WAIT)) {
			assertThat(Check.observedStates(EnumSet.of(checked))).as(checked.name())
				.isEqualTo(EnumSet.allOf(TcpState.class));
		}
	}

	@Test
	void judgedStatesAreTheCheckedOnesAndThoseThatSettleIntoOne() {
		assertThat(Check.judgedStates(DEFAULT_STATES))
			.isEqualTo(EnumSet.of(TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT));
		assertThat(Check.judgedStates(EnumSet.of(TcpState.TIME_WAIT)))
			.isEqualTo(EnumSet.of(TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.CLOSING, TcpState.TIME_WAIT));
		assertThat(Check.judgedStates(EnumSet.of(TcpState.ESTABLISHED)))
			.isEqualTo(EnumSet.of(TcpState.SYN_SENT, TcpState.SYN_RECV, TcpState.ESTABLISHED));
		assertThat(Check.judgedStates(EnumSet.of(TcpState.LISTEN))).isEqualTo(EnumSet.of(TcpState.LISTEN));
	}

	private Check check(String... captures) throws SocketTableException {
		Deque<SocketTable> tables = new ArrayDeque<>();
		for (String capture : captures) {
			tables.add(CapturedTables.table(capture));
		}
		SocketTableSource source = new ScriptedTableSource("captured tables",
				states -> ScriptedTableSource.filtered(tables.size() > 1 ? tables.poll() : tables.peek(), states));
		return new Check(source, () -> {
			fdScans.incrementAndGet();
			return Set.copyOf(openInodes);
		});
	}

	private void openInodes(long... inodes) {
		for (long inode : inodes) {
			openInodes.add(inode);
		}
	}

	private long id(String key) {
		return Long.parseLong(ids.getProperty(key));
	}

	private int port(String key) {
		return Integer.parseInt(ids.getProperty(key));
	}

	private static Finding only(List<Finding> findings, TcpState state, int localPort) {
		List<Finding> matching = findings.stream()
			.filter(f -> f.socket().state() == state && f.socket().local().port() == localPort)
			.toList();
		assertThat(matching).as(state + " on local port " + localPort + " in " + findings).hasSize(1);
		return matching.get(0);
	}
}
