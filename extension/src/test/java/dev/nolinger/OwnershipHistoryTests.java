/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The 4-tuples seen this JVM's at earlier reads (rule 4), and when they are forgotten. */
class OwnershipHistoryTests {

	private static final SocketTuple SEEN = tuple(40000);

	private static final SocketTuple OTHER = tuple(40001);

	private final OwnershipHistory history = new OwnershipHistory();

	@Test
	void aTupleALaterReadNoLongerListsIsForgotten() {
		this.history.record(List.of(SEEN, OTHER));
		long before = this.history.generation();

		this.history.forgetAbsent(table(OTHER), before);

		assertThat(this.history.tuples()).containsExactly(OTHER);
	}

	/**
	 * Parallel checks: one reads an older table, another then records a tuple from a newer one,
	 * and the first forgets what its table leaves out. Its table was read before that tuple was
	 * recorded, so the tuple stays, and the second check's rule 4 still finds it.
	 */
	@Test
	void anOlderTableForgetsNothingRecordedAfterItWasRead() {
		this.history.record(List.of(OTHER));
		long olderReadFrom = this.history.generation();
		this.history.record(List.of(SEEN));

		this.history.forgetAbsent(table(OTHER), olderReadFrom);

		assertThat(this.history.wasOwned(SEEN)).isTrue();
		this.history.forgetAbsent(table(OTHER), this.history.generation());
		assertThat(this.history.wasOwned(SEEN)).as("a table read after it was recorded, without it").isFalse();
	}

	@Test
	void anEarlierReadServedAgainForgetsNothing() {
		this.history.record(List.of(SEEN));

		this.history.forgetAbsent(table(OTHER), Long.MIN_VALUE);

		assertThat(this.history.wasOwned(SEEN)).isTrue();
	}

	private static SocketTable table(SocketTuple tuple) {
		return SocketTable.of(List.of(new TcpSocket("tcp", -1, tuple, TcpState.FIN_WAIT2, 0, 0, 0, 0, 0, 1000, 0, 0)));
	}

	private static SocketTuple tuple(int localPort) {
		return new SocketTuple(Endpoint.ipv4(0x7F00_0001, localPort), Endpoint.ipv4(0x7F00_0001, 8080));
	}
}
