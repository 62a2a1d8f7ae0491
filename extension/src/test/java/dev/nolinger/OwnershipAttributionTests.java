/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which end of its connection a finding is, from what the ledger recorded or else from listeners. */
class OwnershipAttributionTests {

	private static final Endpoint NOWHERE = Endpoint.ipv4(0, 0);

	@Test
	void anUntracedEndIsTheOppositeOfItsTracedOtherEnd() throws Exception {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		Object client = new Object();
		Object accepted = new Object();
		ledger.opened(client, LedgerSocket.Kind.CONNECTED, address(40_000), address(8080));
		ledger.opened(accepted, LedgerSocket.Kind.ACCEPTED, address(8081), address(40_001));
		TcpSocket clientEnd = socket(port(40_000), port(8080), TcpState.FIN_WAIT2);
		TcpSocket serverOfTracedClient = socket(port(8080), port(40_000), TcpState.CLOSE_WAIT);
		TcpSocket clientOfTracedServer = socket(port(40_001), port(8081), TcpState.FIN_WAIT2);
		OwnershipAttribution attribution = attribution(ledger, clientEnd, serverOfTracedClient, clientOfTracedServer);

		assertThat(attribution.role(clientEnd)).as("traced itself").isEqualTo(Finding.Role.CLIENT);
		assertThat(attribution.role(serverOfTracedClient)).isEqualTo(Finding.Role.SERVER);
		assertThat(attribution.role(clientOfTracedServer)).isEqualTo(Finding.Role.CLIENT);
		Reference.reachabilityFence(client);
		Reference.reachabilityFence(accepted);
	}

	@Test
	void untracedTheEndOnAListenersPortIsTheServerAndTheEndConnectedToOneTheClient() {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		TcpSocket listener = socket(port(9090), NOWHERE, TcpState.LISTEN);
		TcpSocket server = socket(port(9090), port(40_002), TcpState.CLOSE_WAIT);
		TcpSocket client = socket(port(40_003), port(9090), TcpState.FIN_WAIT2);
		TcpSocket neither = socket(port(40_004), port(40_005), TcpState.FIN_WAIT2);
		OwnershipAttribution attribution = attribution(ledger, listener, server, client, neither);

		assertThat(attribution.role(server)).isEqualTo(Finding.Role.SERVER);
		assertThat(attribution.role(client)).isEqualTo(Finding.Role.CLIENT);
		assertThat(attribution.role(neither)).isEqualTo(Finding.Role.UNKNOWN);
	}

	private static OwnershipAttribution attribution(Ledger ledger, TcpSocket... sockets) {
		return new OwnershipAttribution(SocketTable.of(List.of(sockets)), new OwnershipInodes.Owned(Set.of()), List.of(),
				new OwnershipHistory(), ledger, null);
	}

	private static TcpSocket socket(Endpoint local, Endpoint remote, TcpState state) {
		return new TcpSocket("tcp", 0, new SocketTuple(local, remote), state, 0, 0, 0, 0, 0, 1000, 0, 0);
	}

	private static Endpoint port(int port) {
		return Endpoint.ipv4(0x7F00_0001, port);
	}

	private static InetSocketAddress address(int port) {
		return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
	}
}
