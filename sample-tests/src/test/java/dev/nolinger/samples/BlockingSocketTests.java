/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.Test;

/** Integration tests over java.net sockets on 127.0.0.1 that close everything they open. */
@NoLingeringSockets
class BlockingSocketTests {

	private static final Loopback LOOPBACK = Loopback.IPV4;

	@Test
	void conversationOverOneConnection() throws IOException {
		try (BlockingEchoServer server = BlockingEchoServer.start(LOOPBACK);
				Socket client = LOOPBACK.connect(server.address())) {
			for (int i = 0; i < 50; i++) {
				assertThat(Conversations.echo(client, "message " + i)).isEqualTo("message " + i);
			}
		}
	}

	@Test
	void freshConnectionPerRequest() throws IOException {
		Traffic.echoOverFreshConnections(LOOPBACK, 20);
	}

	@Test
	void concurrentClients() throws Exception {
		int clients = 8;
		ExecutorService threads = Executors.newFixedThreadPool(clients);
		try (BlockingEchoServer server = BlockingEchoServer.start(LOOPBACK)) {
			List<Callable<String>> conversations = new ArrayList<>();
			for (int i = 0; i < clients; i++) {
				String message = "client " + i;
				conversations.add(() -> {
					try (Socket client = LOOPBACK.connect(server.address())) {
						return Conversations.echo(client, message);
					}
				});
			}
			List<String> replies = new ArrayList<>();
			for (Future<String> reply : threads.invokeAll(conversations, Loopback.IO_TIMEOUT.toMillis(),
					TimeUnit.MILLISECONDS)) {
				replies.add(reply.get());
			}
			assertThat(replies).containsExactly("client 0", "client 1", "client 2", "client 3", "client 4",
					"client 5", "client 6", "client 7");
		}
		finally {
			threads.shutdownNow();
			assertThat(threads.awaitTermination(Loopback.IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		}
	}

	@Test
	void serverClosesFirst() throws IOException {
		try (LoopbackConnection connection = LoopbackConnection.open(LOOPBACK)) {
			Conversations.send(connection.accepted(), "goodbye");
			connection.accepted().close();

			assertThat(Conversations.readToEnd(connection.client())).isEqualTo("goodbye");
		}
	}

	@Test
	void requestAndReplyWithHalfClose() throws IOException {
		try (LoopbackConnection connection = LoopbackConnection.open(LOOPBACK)) {
			assertThat(Conversations.halfCloseExchange(connection, "GET /")).isEqualTo("re: GET /");
		}
	}
}
