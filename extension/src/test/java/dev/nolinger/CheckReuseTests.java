/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * When the read after one test serves as the read before the next ({@link CheckReuse}): this JVM
 * holds an established link to another process, so no {@link CheckQuiet} proof exists and every
 * check reads this JVM's own sockets; the table, the held fds, the ledger's count and the fd count
 * are the test's to set, and every fd scan and own-socket read is counted.
 */
class CheckReuseTests {

	private static final Set<TcpState> DEFAULT_STATES = CheckConfiguration.DEFAULT_STATES;

	private static final long LINK = 700;

	private final List<TcpSocket> table = new ArrayList<>(List.of(socket(40000, 5432, TcpState.ESTABLISHED, LINK),
			socket(5432, 40000, TcpState.ESTABLISHED, 800)));

	private final Map<Long, Integer> held = new HashMap<>(Map.of(LINK, 7));

	private final AtomicLong ledger = new AtomicLong();

	private final AtomicLong fdCount = new AtomicLong(30);

	/** The checks' clock: still unless a test moves it, so no pause of this JVM's ends a window. */
	private final AtomicLong nanos = new AtomicLong();

	private int scans;

	private int ownReads;

	@Test
	void cleanTestsInARowScanOnceEachWhenTraced() throws Exception {
		Check check = check(true);
		for (int test = 0; test < 5; test++) {
			assertThat(check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES)).isEmpty();
		}

		assertThat(this.scans).as("one scan before the first test, then one after each").isEqualTo(6);
		assertThat(this.ownReads).isEqualTo(6);
	}

	@Test
	void aJvmHoldingNoSocketScansOncePerTestWhenTraced() throws Exception {
		// Another process's sockets only: the quiet proof holds, and its snapshot serves again.
		this.held.clear();
		this.table.set(0, socket(40000, 5432, TcpState.ESTABLISHED, 900));
		this.table.set(1, socket(5432, 40000, TcpState.CLOSE_WAIT, 901));
		for (boolean traced : new boolean[] { true, false }) {
			this.scans = 0;
			this.ownReads = 0;
			Check check = check(traced);
			for (int test = 0; test < 5; test++) {
				assertThat(check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES)).isEmpty();
			}

			assertThat(this.scans).as("traced: %s", traced).isEqualTo(traced ? 6 : 10);
			assertThat(this.ownReads).as("the proof needs no read after the first").isEqualTo(1);
		}
	}

	@Test
	void untracedEveryCheckScans() throws Exception {
		Check check = check(false);
		for (int test = 0; test < 5; test++) {
			assertThat(check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES)).isEmpty();
		}

		assertThat(this.scans).isEqualTo(10);
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "a socket the ledger counted", "an fd opened or closed", "a kernel that gives no fd count",
			"a read older than the window", "other checked states" })
	void anythingInBetweenMakesTheSnapshotRead(String inBetween) throws Exception {
		if (inBetween.equals("a kernel that gives no fd count")) {
			this.fdCount.set(-1);
		}
		Check check = check(true);
		check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES);
		Set<TcpState> states = DEFAULT_STATES;
		switch (inBetween) {
			case "a socket the ledger counted" -> this.ledger.incrementAndGet();
			case "an fd opened or closed" -> this.fdCount.incrementAndGet();
			case "a read older than the window" -> this.nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(CheckReuse.WINDOW_MILLIS) + 1);
			case "other checked states" -> states = Set.of(TcpState.CLOSE_WAIT);
			default -> {
			}
		}
		check.snapshot(states);

		assertThat(this.scans).isEqualTo(3);
	}

	@Test
	void aReadJustInsideTheWindowIsReused() throws Exception {
		Check check = check(true);
		check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES);
		this.nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(CheckReuse.WINDOW_MILLIS));
		check.snapshot(DEFAULT_STATES);

		assertThat(this.scans).isEqualTo(2);
	}

	@Test
	void aLinkItsPeerClosedBetweenTwoTestsIsTheNextTestsFindingOnlyWhenReused() throws Exception {
		for (boolean traced : new boolean[] { true, false }) {
			this.table.set(0, socket(40000, 5432, TcpState.ESTABLISHED, LINK));
			this.table.set(1, socket(5432, 40000, TcpState.ESTABLISHED, 800));
			Check check = check(traced);
			check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES);
			// Between the two tests the other process closes the link: this JVM's end sits in CLOSE_WAIT.
			this.table.set(0, socket(40000, 5432, TcpState.CLOSE_WAIT, LINK));
			this.table.set(1, socket(5432, 40000, TcpState.FIN_WAIT2, 800));
			CheckSnapshot next = check.snapshot(DEFAULT_STATES);

			// Reused, the next test reports it, as it would a moment later; read afresh, no check ever would.
			assertThat(check.findings(next, DEFAULT_STATES)).as("traced: %s", traced)
				.extracting(f -> f.socket().state())
				.containsExactly(traced ? new TcpState[] { TcpState.CLOSE_WAIT } : new TcpState[0]);
		}
	}

	/**
	 * The snapshot made again from the same read is reused only while nothing was recorded since:
	 * here a test's finding puts its 4-tuple in the history, and the next snapshot, from the same
	 * read as before, must forget it again, or an orphan of another process's with that 4-tuple
	 * would be blamed on a later test as "seen owned before".
	 */
	@Test
	void aSnapshotMadeAgainFromTheSameReadForgetsWhatAFindingRecordedSince() throws Exception {
		Check check = check(false);
		assertThat(check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES)).isEmpty();
		CheckSnapshot second = check.snapshot(DEFAULT_STATES);
		TcpSocket leaked = socket(41000, 6000, TcpState.CLOSE_WAIT, 901);
		this.held.put(901L, 9);
		this.table.add(leaked);
		assertThat(check.findings(second, DEFAULT_STATES)).extracting(f -> f.socket().tuple())
			.containsExactly(leaked.tuple());
		this.held.remove(901L);
		this.table.remove(leaked);

		CheckSnapshot third = check.snapshot(DEFAULT_STATES);
		// Another process's orphan that happens to have the 4-tuple the leak had.
		this.table.add(socket(41000, 6000, TcpState.FIN_WAIT2, 0));

		assertThat(check.findings(third, DEFAULT_STATES)).isEmpty();
	}

	private Check check(boolean traced) {
		SocketTableSource source = new ScriptedTableSource("a table in memory",
				states -> ScriptedTableSource.filtered(SocketTable.of(this.table), states));
		OwnershipInodeSource fds = new OwnershipInodeSource() {
			@Override
			public Set<Long> socketInodes() {
				return socketFds().keySet();
			}

			@Override
			public Map<Long, Integer> socketFds() {
				CheckReuseTests.this.scans++;
				return Map.copyOf(CheckReuseTests.this.held);
			}
		};
		SocketTableProbe probe = (socketFds, remembered) -> {
			this.ownReads++;
			return SocketTable.of(this.table);
		};
		CheckSocketActivity activity = traced ? () -> OptionalLong.of(this.ledger.get()) : CheckSocketActivity.UNTRACED;
		return new Check(source, fds, activity, false, probe, this.fdCount::get, this.nanos::get);
	}

	private static TcpSocket socket(int localPort, int remotePort, TcpState state, long inode) {
		return new TcpSocket("tcp6", -1, new SocketTuple(Endpoint.ipv4(0x7F00_0001, localPort),
				Endpoint.ipv4(0x7F00_0001, remotePort)), state, 0, 0, 0, 0, 0, 1000, 0, inode);
	}
}
