/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.Test;

/** Integration tests on {@code ::1}, over java.net sockets and NIO channels, that close everything they open. */
@NoLingeringSockets
class Ipv6LoopbackTests {

	private static final Loopback LOOPBACK = Loopback.IPV6;

	@Test
	void freshConnectionPerRequest() throws IOException {
		Traffic.echoOverFreshConnections(LOOPBACK, 20);
	}

	@Test
	void selectorServerAndSelectorClient() throws IOException {
		try (SelectorEchoServer server = SelectorEchoServer.start(LOOPBACK);
				SelectorClient client = SelectorClient.connect(LOOPBACK, server.address())) {
			assertThat(client.echo("over ::1")).isEqualTo("over ::1");

			ProcNetTcp.assertListedIn(LOOPBACK.procFile(), client.localAddress(), server.address());
		}
	}

	@Test
	void requestAndReplyWithHalfClose() throws IOException {
		try (LoopbackConnection connection = LoopbackConnection.open(LOOPBACK)) {
			assertThat(Conversations.halfCloseExchange(connection, "GET /")).isEqualTo("re: GET /");
		}
	}
}
