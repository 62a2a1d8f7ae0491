/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.Test;

/**
 * Integration tests over NIO channels with selectors, on 127.0.0.1 with the JDK's default
 * protocol family, that close everything they open. A channel closed while registered keeps its
 * fd until its selector deregisters it, so clients close their selector too.
 */
@NoLingeringSockets
class SelectorSocketTests {

	private static final Loopback LOOPBACK = Loopback.IPV4;

	@Test
	void selectorClientsOneAfterAnother() throws IOException {
		try (SelectorEchoServer server = SelectorEchoServer.start(LOOPBACK)) {
			for (int i = 0; i < 20; i++) {
				try (SelectorClient client = SelectorClient.connect(LOOPBACK, server.address())) {
					assertThat(client.echo("request " + i)).isEqualTo("request " + i);
				}
			}
		}
	}

	@Test
	void selectorClientsOpenAtOnce() throws IOException {
		List<SelectorClient> clients = new ArrayList<>();
		try (SelectorEchoServer server = SelectorEchoServer.start(LOOPBACK)) {
			for (int i = 0; i < 10; i++) {
				clients.add(SelectorClient.connect(LOOPBACK, server.address()));
			}
			for (int round = 0; round < 5; round++) {
				for (int i = 0; i < clients.size(); i++) {
					String message = "client " + i + " round " + round;
					assertThat(clients.get(i).echo(message)).isEqualTo(message);
				}
			}
		}
		finally {
			Closing.all(clients);
		}
	}

	@Test
	void blockingChannelAgainstSelectorServer() throws IOException {
		try (SelectorEchoServer server = SelectorEchoServer.start(LOOPBACK);
				SocketChannel channel = LOOPBACK.openChannel()) {
			channel.connect(server.address());
			Socket socket = channel.socket();
			socket.setSoTimeout(Loopback.timeoutMillis());

			assertThat(Conversations.echo(socket, "over a blocking channel")).isEqualTo("over a blocking channel");
		}
	}

	@Test
	void largeMessageEchoedInPieces() throws IOException {
		String large = "0123456789abcdef".repeat(64 * 1024);
		try (SelectorEchoServer server = SelectorEchoServer.start(LOOPBACK);
				SelectorClient client = SelectorClient.connect(LOOPBACK, server.address())) {
			assertThat(client.echo(large)).isEqualTo(large);
		}
	}
}
