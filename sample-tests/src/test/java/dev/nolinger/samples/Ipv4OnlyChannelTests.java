/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.Test;

/**
 * Integration tests over channels opened for {@link StandardProtocolFamily#INET}: AF_INET
 * sockets, which Linux lists in /proc/net/tcp rather than tcp6. Each test checks that premise
 * while its connection is open.
 */
@NoLingeringSockets
class Ipv4OnlyChannelTests {

	private static final Loopback LOOPBACK = Loopback.IPV4_ONLY;

	@Test
	void selectorServerAndSelectorClient() throws IOException {
		try (SelectorEchoServer server = SelectorEchoServer.start(LOOPBACK);
				SelectorClient client = SelectorClient.connect(LOOPBACK, server.address())) {
			assertThat(client.echo("over AF_INET")).isEqualTo("over AF_INET");

			ProcNetTcp.assertListedIn(LOOPBACK.procFile(), client.localAddress(), server.address());
		}
	}

	@Test
	void blockingChannelsWithHalfClose() throws IOException {
		try (LoopbackConnection connection = LoopbackConnection.open(LOOPBACK)) {
			ProcNetTcp.assertListedIn(LOOPBACK.procFile(), connection.serverAddress(), connection.clientAddress());

			assertThat(Conversations.halfCloseExchange(connection, "GET /")).isEqualTo("re: GET /");
		}
	}

	@Test
	void freshConnectionPerRequest() throws IOException {
		Traffic.echoOverFreshConnections(LOOPBACK, 20);
	}
}
