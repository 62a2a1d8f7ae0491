/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class OwnershipOrphansTests {

	private static final Endpoint LOOPBACK_8080 = Endpoint.ipv4(0x7F00_0001, 8080);
	private static final Endpoint OTHER_LOOPBACK_8080 = Endpoint.ipv4(0x7F00_0002, 8080);
	private static final Endpoint WILDCARD_8080 = Endpoint.ipv4(0, 8080);
	private static final Endpoint CLIENT = Endpoint.ipv4(0x7F00_0001, 40000);
	private static final Endpoint NOWHERE = Endpoint.ipv4(0, 0);

	@Test
	void listenerOnTheExactAddressComesBeforeTheWildcardWhateverTheOrder() {
		TcpSocket wildcard = socket(WILDCARD_8080, NOWHERE, TcpState.LISTEN, 11);
		TcpSocket exact = socket(LOOPBACK_8080, NOWHERE, TcpState.LISTEN, 12);
		TcpSocket elsewhere = socket(OTHER_LOOPBACK_8080, NOWHERE, TcpState.LISTEN, 13);

		assertThat(OwnershipOrphans.listenerAt(LOOPBACK_8080, List.of(wildcard, elsewhere, exact), true)).isSameAs(exact);
		assertThat(OwnershipOrphans.listenerAt(LOOPBACK_8080, List.of(elsewhere, wildcard), true)).isSameAs(wildcard);
		assertThat(OwnershipOrphans.listenerAt(LOOPBACK_8080, List.of(elsewhere), true)).isNull();
	}

	@Test
	void listenerWithInodeZeroCountsOnlyWhenNoHolderIsNeeded() {
		TcpSocket noInode = socket(LOOPBACK_8080, NOWHERE, TcpState.LISTEN, 0);
		TcpSocket notListening = socket(LOOPBACK_8080, CLIENT, TcpState.CLOSE_WAIT, 14);

		assertThat(OwnershipOrphans.listenerAt(LOOPBACK_8080, List.of(noInode, notListening), true)).isNull();
		assertThat(OwnershipOrphans.listenerAt(LOOPBACK_8080, List.of(noInode, notListening), false)).isSameAs(noInode);
	}

	@Test
	void rule3PicksTheListenerFirstAndOnlyThenAsksWhetherItIsHeld() {
		TcpSocket orphan = socket(LOOPBACK_8080, CLIENT, TcpState.LAST_ACK, 0);
		TcpSocket wildcard = socket(WILDCARD_8080, NOWHERE, TcpState.LISTEN, 11);
		TcpSocket exact = socket(LOOPBACK_8080, NOWHERE, TcpState.LISTEN, 12);

		assertThat(OwnershipOrphans.heldListener(orphan, List.of(wildcard, exact), s -> true)).isSameAs(exact);
		assertThat(OwnershipOrphans.heldListener(orphan, List.of(wildcard, exact), s -> s == wildcard)).isNull();
		assertThat(OwnershipOrphans.heldListener(socket(LOOPBACK_8080, CLIENT, TcpState.CLOSE_WAIT, 15),
				List.of(exact), s -> true)).as("a socket with an inode is no orphan").isNull();
	}

	@Test
	void rule2FindsTheHeldMirrorOfAnOrphan() {
		TcpSocket orphan = socket(CLIENT, LOOPBACK_8080, TcpState.FIN_WAIT2, 0);
		TcpSocket mirror = socket(LOOPBACK_8080, CLIENT, TcpState.CLOSE_WAIT, 21);
		SocketTable table = SocketTable.of(List.of(orphan, mirror));

		assertThat(OwnershipOrphans.heldMirror(orphan, table, s -> true)).isSameAs(mirror);
		assertThat(OwnershipOrphans.heldMirror(orphan, table, s -> false)).isNull();
		assertThat(OwnershipOrphans.heldMirror(mirror, table, s -> true)).as("a socket with an inode is no orphan")
			.isNull();
	}

	private static TcpSocket socket(Endpoint local, Endpoint remote, TcpState state, long inode) {
		return new TcpSocket("tcp", 0, new SocketTuple(local, remote), state, 0, 0, 0, 0, 0, 1000, 0, inode);
	}
}
