/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Which inodes of a table are this JVM's, remembered across reads, and kept apart per table. */
class OwnershipInodesTests {

	private final Set<Long> open = new HashSet<>();

	private final AtomicInteger scans = new AtomicInteger();

	private final OwnershipInodes inodes = new OwnershipInodes(() -> {
		this.scans.incrementAndGet();
		return Set.copyOf(this.open);
	});

	@Test
	void aTableIsScannedOnlyForAnInodeItHasNoVerdictFor() throws SocketTableException {
		this.open.add(7L);
		SocketTable table = SocketTable.of(List.of(socket(40000, TcpState.CLOSE_WAIT, 7), socket(40001, TcpState.ESTABLISHED, 8)));

		OwnershipInodes.Owned first = this.inodes.classify(table);
		OwnershipInodes.Owned again = this.inodes.classify(table);

		assertThat(first.inodes()).containsExactly(7L);
		assertThat(again.inodes()).containsExactly(7L);
		assertThat(this.scans).as("the second read's inodes all have verdicts").hasValue(1);
	}

	/**
	 * Under parallel execution a check may classify a table read before a test opened its socket,
	 * while that test's own check classifies a table that lists it. The older table makes the
	 * remembered verdicts forget the new inode; the newer table's verdicts, which its attribution
	 * uses, still hold it, so the leaking test still finds its own socket.
	 */
	@Test
	void anOlderTableClassifiedMeanwhileLeavesANewerTablesVerdictsAsTheyWere() throws SocketTableException {
		this.open.add(7L);
		SocketTable older = SocketTable.of(List.of(socket(40001, TcpState.ESTABLISHED, 8)));
		SocketTable newer = SocketTable.of(List.of(socket(40000, TcpState.CLOSE_WAIT, 7), socket(40001, TcpState.ESTABLISHED, 8)));

		OwnershipInodes.Owned leakersView = this.inodes.classify(newer);
		OwnershipInodes.Owned othersView = this.inodes.classify(older);

		assertThat(leakersView.isOwned(7)).isTrue();
		assertThat(othersView.isOwned(7)).isFalse();
		assertThat(leakersView.isOwned(8)).isFalse();
		assertThat(leakersView.isOwned(0)).as("no inode: an orphan, never by rule 1").isFalse();
		assertThat(this.inodes.classify(newer).isOwned(7)).as("forgotten, so scanned again").isTrue();
		assertThat(this.scans).hasValue(2);
	}

	private static TcpSocket socket(int localPort, TcpState state, long inode) {
		Endpoint local = Endpoint.ipv4(0x7F00_0001, localPort);
		Endpoint remote = Endpoint.ipv4(0x7F00_0001, 8080);
		return new TcpSocket("tcp", -1, new SocketTuple(local, remote), state, 0, 0, 0, 0, 0, 1000, 0, inode);
	}
}
