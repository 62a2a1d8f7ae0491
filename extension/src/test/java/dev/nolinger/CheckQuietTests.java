/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * When the check may skip a read ({@link CheckQuiet}): the table is whatever the test puts in
 * {@link #table}, this JVM's fds are {@link #held}, and every read is counted.
 */
class CheckQuietTests {

	private static final Set<TcpState> DEFAULT_STATES = CheckConfiguration.DEFAULT_STATES;

	/** Left out of the mutation run: PIT's minion JVM always holds a socket to talk to PIT. */
	static final String NEEDS_A_JVM_WITHOUT_SOCKETS = "needs-a-jvm-without-sockets";

	private static final Endpoint LISTENER = Endpoint.ipv4(0x7F00_0001, 8080);

	private final List<TcpSocket> table = new ArrayList<>();

	private final Set<Long> held = new HashSet<>();

	private final AtomicLong ledger = new AtomicLong();

	private int reads;

	private int probes;

	private int stateReads;

	private final Check check = new Check(memory(), () -> Set.copyOf(this.held));

	@Test
	void aJvmWithoutSocketsReadsOnceForAWholeRunOfCleanTests() throws Exception {
		// Another process's sockets, in every state, change nothing: they are not this JVM's.
		this.table.add(socket(1000, 2000, TcpState.ESTABLISHED, 501));
		this.table.add(socket(2000, 1000, TcpState.CLOSE_WAIT, 502));
		this.table.add(socket(3000, 0, TcpState.LISTEN, 503));

		for (int test = 0; test < 5; test++) {
			CheckSnapshot snapshot = this.check.snapshot(DEFAULT_STATES);
			assertThat(this.check.findings(snapshot, DEFAULT_STATES)).isEmpty();
		}

		assertThat(this.reads).isEqualTo(1);
	}

	@Test
	@Tag(NEEDS_A_JVM_WITHOUT_SOCKETS)
	void onTheRealTableAJvmThatHoldsNoSocketSkipsUntilItOpensOne() throws Exception {
		Check real = new Check(new SocketTableProcSource(Path.of("/proc/net")), new OwnershipProcSelfFd(Path.of("/proc/self/fd")));
		CheckSnapshot first = real.snapshot(DEFAULT_STATES);
		assertThat(first.quiet()).as("proof on the real table, holding %s", first).isNotNull();
		assertThat(real.snapshot(DEFAULT_STATES)).as("skipped: the same snapshot").isSameAs(first);

		LoopbackConnections.serverNeverCloses();
		try {
			// The client's end may still be in FIN_WAIT1 (settling) at the first read after the close.
			Awaitility.await("the leak to settle")
				.atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.untilAsserted(() -> assertThat(real.findings(first, DEFAULT_STATES)).extracting(f -> f.socket().state())
					.containsExactlyInAnyOrder(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT));
		}
		finally {
			LoopbackConnections.closeAll();
		}
	}

	@Test
	void aTestThatOpensASocketIsReadAfterAndItsLeakFound() throws Exception {
		CheckSnapshot snapshot = this.check.snapshot(DEFAULT_STATES);
		assertThat(snapshot.quiet()).isNotNull();

		// The test connects to itself and leaves the server end in CLOSE_WAIT, its client closed.
		this.held.add(601L);
		this.table.add(socket(40000, 8080, TcpState.FIN_WAIT2, 0));
		this.table.add(socket(8080, 40000, TcpState.CLOSE_WAIT, 601));

		assertThat(this.check.findings(snapshot, DEFAULT_STATES)).extracting(f -> f.socket().state())
			.containsExactlyInAnyOrder(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT);
		assertThat(this.reads).isEqualTo(2);
	}

	@Test
	void aLeakOfAnEarlierTestThatCannotMoveLetsLaterCleanTestsSkip() throws Exception {
		// CLOSE_WAIT held, its mirror an orphaned FIN_WAIT2: neither can reach another judged state.
		this.held.add(601L);
		this.table.add(socket(40000, 8080, TcpState.FIN_WAIT2, 0));
		this.table.add(socket(8080, 40000, TcpState.CLOSE_WAIT, 601));

		CheckSnapshot first = this.check.snapshot(DEFAULT_STATES);
		assertThat(this.check.findings(first, DEFAULT_STATES)).isEmpty();
		CheckSnapshot second = this.check.snapshot(DEFAULT_STATES);
		assertThat(this.check.findings(second, DEFAULT_STATES)).isEmpty();

		assertThat(this.reads).isEqualTo(1);
		assertThat(second).isSameAs(first);
	}

	@Test
	void noProofWhileASocketOfOursCanMoveIntoAJudgedState() throws Exception {
		assertNoProof(List.of(socket(8080, 0, TcpState.LISTEN, 601)), Set.of(601L), "a listener of ours");
		assertNoProof(List.of(socket(40000, 8080, TcpState.ESTABLISHED, 601)), Set.of(601L), "established, ours");
		assertNoProof(List.of(socket(40000, 8080, TcpState.FIN_WAIT1, 0), socket(8080, 40000, TcpState.CLOSE_WAIT, 601)),
				Set.of(601L), "an orphan of ours still closing: its settling credit is pending");
		assertNoProof(List.of(), Set.of(601L), "a held socket that is not in the TCP table: unconnected, or not TCP");
		assertNoProof(List.of(socket(40000, 8080, TcpState.FIN_WAIT2, 601)), Set.of(601L), "half-closed, ours, when "
				+ "TIME_WAIT is checked", Set.of(TcpState.TIME_WAIT, TcpState.FIN_WAIT2));
	}

	@Test
	void anOrphanOfOursThatCanOnlyLeaveTheTableKeepsTheProof() throws Exception {
		this.held.add(601L);
		this.table.add(socket(40000, 8080, TcpState.FIN_WAIT2, 601));
		this.table.add(socket(8080, 40000, TcpState.CLOSE_WAIT, 602));

		assertThat(this.check.snapshot(DEFAULT_STATES).quiet()).as("half-closed FIN_WAIT2, default states").isNotNull();
	}

	@Test
	void aSocketOpenedAndClosedBetweenTwoScansIsCaughtByTheLedgerWhereItCounts() throws Exception {
		Check counted = new Check(memory(), () -> Set.copyOf(this.held), () -> OptionalLong.of(this.ledger.get()));
		CheckSnapshot snapshot = counted.snapshot(DEFAULT_STATES);

		this.ledger.addAndGet(2);

		assertThat(counted.findings(snapshot, DEFAULT_STATES)).isEmpty();
		assertThat(this.reads).as("the count changed: the check read").isEqualTo(2);
	}

	@Test
	void otherCheckedStatesNeedTheirOwnRead() throws Exception {
		this.check.snapshot(DEFAULT_STATES);
		this.check.snapshot(Set.of(TcpState.LISTEN));

		assertThat(this.reads).isEqualTo(2);
	}

	@Test
	void theProofLastsUntilThisJvmOpensOrClosesASocket() throws Exception {
		this.check.findings(this.check.snapshot(DEFAULT_STATES), DEFAULT_STATES);
		this.held.add(700L);
		this.table.add(socket(50000, 9000, TcpState.ESTABLISHED, 700));
		this.check.findings(this.check.snapshot(DEFAULT_STATES), DEFAULT_STATES);
		this.check.findings(this.check.snapshot(DEFAULT_STATES), DEFAULT_STATES);

		assertThat(this.reads).as("one read, then a snapshot and after each: established sockets can move")
			.isEqualTo(1 + 2 + 2);
	}

	@Test
	void aHeldLinkToAnotherProcessIsWatchedWhereAProbeReadsItsStateAndItsCloseIsFound() throws Exception {
		// This JVM's end of a link, and the other process's end, which has an inode of its own.
		this.held.add(601L);
		this.table.add(socket(40000, 8080, TcpState.ESTABLISHED, 601));
		this.table.add(socket(8080, 40000, TcpState.ESTABLISHED, 701));
		Check watching = watchingCheck(new AtomicInteger());

		CheckSnapshot first = watching.snapshot(DEFAULT_STATES);
		assertThat(first.quiet()).isNotNull();
		assertThat(first.quiet().watched()).isEqualTo(Map.of(601L, TcpState.ESTABLISHED));
		for (int test = 0; test < 3; test++) {
			CheckSnapshot snapshot = watching.snapshot(DEFAULT_STATES);
			assertThat(snapshot).isSameAs(first);
			assertThat(watching.findings(snapshot, DEFAULT_STATES)).isEmpty();
		}
		assertThat(this.probes).as("the probe read once").isEqualTo(1);
		assertThat(this.stateReads).as("then the link's state, before and after each test").isEqualTo(6);
		assertThat(this.reads).as("no whole table").isZero();

		// The other process closes its end during the next test.
		CheckSnapshot snapshot = watching.snapshot(DEFAULT_STATES);
		this.table.set(0, socket(40000, 8080, TcpState.CLOSE_WAIT, 601));
		this.table.set(1, socket(8080, 40000, TcpState.FIN_WAIT2, 0));

		assertThat(watching.findings(snapshot, DEFAULT_STATES)).extracting(f -> f.socket().state())
			.containsExactlyInAnyOrder(TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2);
	}

	@Test
	void bothEndsOfAConnectionThisJvmHoldsAreWatched() throws Exception {
		this.held.addAll(Set.of(601L, 602L));
		this.table.add(socket(40000, 8080, TcpState.ESTABLISHED, 601));
		this.table.add(socket(8080, 40000, TcpState.ESTABLISHED, 602));

		CheckQuiet proof = watchingCheck(new AtomicInteger()).snapshot(DEFAULT_STATES).quiet();

		assertThat(proof).isNotNull();
		assertThat(proof.watched()).isEqualTo(Map.of(601L, TcpState.ESTABLISHED, 602L, TcpState.ESTABLISHED));
	}

	@Test
	void noWatchedProofWhereAnEstablishedSocketCouldMoveUnseen() throws Exception {
		assertNoWatchedProof(List.of(socket(40000, 8080, TcpState.ESTABLISHED, 601), socket(8080, 40000,
				TcpState.ESTABLISHED, 0)), "the other end has no inode: not yet accepted, or orphaned");
		assertNoWatchedProof(List.of(socket(40000, 8080, TcpState.SYN_SENT, 601)), "connecting: not ESTABLISHED");
		assertNoWatchedProof(List.of(socket(40000, 8080, TcpState.ESTABLISHED, 601), socket(8080, 0, TcpState.LISTEN,
				602)), "a listener of ours beside it");
		assertNoProof(List.of(socket(40000, 8080, TcpState.ESTABLISHED, 601)), Set.of(601L),
				"no probe: the state can only be read in the table");
	}

	@Test
	void aStateThatCannotBeReadMakesTheCheckReadAndJudgeAsBefore() throws Exception {
		this.held.add(601L);
		this.table.add(socket(40000, 8080, TcpState.ESTABLISHED, 601));
		this.table.add(socket(8080, 40000, TcpState.ESTABLISHED, 701));
		AtomicInteger refusals = new AtomicInteger(1_000);
		Check watching = watchingCheck(refusals);

		CheckSnapshot snapshot = watching.snapshot(DEFAULT_STATES);
		assertThat(snapshot.quiet()).isNotNull();
		this.table.set(0, socket(40000, 8080, TcpState.CLOSE_WAIT, 601));
		this.table.set(1, socket(8080, 40000, TcpState.FIN_WAIT2, 0));

		assertThat(watching.findings(snapshot, DEFAULT_STATES)).extracting(f -> f.socket().state())
			.containsExactlyInAnyOrder(TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2);
		assertThat(this.probes).as("read through the probe, then judged on the whole table").isEqualTo(2);
	}

	private void assertNoWatchedProof(List<TcpSocket> sockets, String why) throws SocketTableException {
		this.table.clear();
		this.table.addAll(sockets);
		this.held.clear();
		sockets.stream().filter(s -> s.inode() != 0 && s.inode() < 700).forEach(s -> this.held.add(s.inode()));
		assertThat(watchingCheck(new AtomicInteger()).snapshot(DEFAULT_STATES).quiet()).as(why).isNull();
	}

	/**
	 * A check whose probe serves {@link #table} as this JVM's part of it, and each held socket's
	 * state from it, counting both; the first {@code refusals} state reads fail, as a refused
	 * call does.
	 */
	private Check watchingCheck(AtomicInteger refusals) {
		SocketTableProbe probe = new SocketTableProbe() {

			@Override
			public SocketTable ownSockets(Map<Long, Integer> socketFds, Collection<SocketTuple> remembered) {
				CheckQuietTests.this.probes++;
				return SocketTable.of(CheckQuietTests.this.table);
			}

			@Override
			public boolean readsHeldStates() {
				return true;
			}

			@Override
			public @Nullable TcpState heldState(int fd, long inode) throws SocketTableException {
				CheckQuietTests.this.stateReads++;
				if (refusals.getAndDecrement() > 0) {
					throw new SocketTableException("getsockopt(" + fd + ", TCP_INFO) failed: EMFILE");
				}
				return CheckQuietTests.this.table.stream()
					.filter(s -> s.inode() == inode)
					.map(TcpSocket::state)
					.findFirst()
					.orElse(null);
			}
		};
		OwnershipInodeSource fds = new OwnershipInodeSource() {

			@Override
			public Set<Long> socketInodes() {
				return Set.copyOf(CheckQuietTests.this.held);
			}

			@Override
			public Map<Long, Integer> socketFds() {
				Map<Long, Integer> fdNumbers = new HashMap<>();
				CheckQuietTests.this.held.forEach(inode -> fdNumbers.put(inode, (int) (inode % 1000)));
				return fdNumbers;
			}
		};
		return new Check(memory(), fds, CheckSocketActivity.UNTRACED, false, probe);
	}

	private void assertNoProof(List<TcpSocket> sockets, Set<Long> inodes, String why) throws SocketTableException {
		assertNoProof(sockets, inodes, why, DEFAULT_STATES);
	}

	private void assertNoProof(List<TcpSocket> sockets, Set<Long> inodes, String why, Set<TcpState> states)
			throws SocketTableException {
		this.table.clear();
		this.table.addAll(sockets);
		this.held.clear();
		this.held.addAll(inodes);
		Check fresh = new Check(memory(), () -> Set.copyOf(this.held));
		assertThat(fresh.snapshot(states).quiet()).as(why).isNull();
	}

	/** Serves {@link #table}, filtered by state as every source filters, and counts each read. */
	private SocketTableSource memory() {
		return new ScriptedTableSource("a table in memory", states -> {
			this.reads++;
			return ScriptedTableSource.filtered(SocketTable.of(this.table), states);
		});
	}

	private static TcpSocket socket(int localPort, int remotePort, TcpState state, long inode) {
		Endpoint local = Endpoint.ipv4(0x7F00_0001, localPort);
		Endpoint remote = state == TcpState.LISTEN ? Endpoint.ipv4(0, 0) : Endpoint.ipv4(0x7F00_0001, remotePort);
		return new TcpSocket("tcp", -1, new SocketTuple(local.port() == 8080 ? LISTENER : local, remote), state, 0, 0, 0,
				0, 0, 1000, 0, inode);
	}
}
