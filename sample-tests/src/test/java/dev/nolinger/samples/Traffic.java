/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;

/** Well-behaved traffic for fixtures: every socket it opens is closed before it returns. */
final class Traffic {

	private Traffic() {
	}

	/** Starts an echo server, talks to it over fresh connections one after another, and closes it all. */
	static void echoOverFreshConnections(Loopback loopback, int connections) throws IOException {
		try (BlockingEchoServer server = BlockingEchoServer.start(loopback)) {
			for (int i = 0; i < connections; i++) {
				try (Socket client = loopback.connect(server.address())) {
					assertThat(Conversations.echo(client, "hello " + i)).isEqualTo("hello " + i);
				}
			}
		}
	}
}
