/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * One accepted loopback connection, with its listener still open. Closing it closes all three
 * sockets, client first.
 */
record LoopbackConnection(Loopback loopback, ServerSocket listener, Socket client, Socket accepted)
		implements AutoCloseable {

	static LoopbackConnection open(Loopback loopback) throws IOException {
		ServerSocket listener = loopback.listen();
		Socket client = null;
		try {
			client = loopback.connect((InetSocketAddress) listener.getLocalSocketAddress());
			return new LoopbackConnection(loopback, listener, client, listener.accept());
		}
		catch (IOException | RuntimeException e) {
			Closing.quietly(e, client, listener);
			throw e;
		}
	}

	InetSocketAddress clientAddress() {
		return (InetSocketAddress) this.client.getLocalSocketAddress();
	}

	InetSocketAddress serverAddress() {
		return (InetSocketAddress) this.accepted.getLocalSocketAddress();
	}

	/**
	 * Blocks until the socket reads end-of-stream, which proves the peer's FIN arrived. Fails if
	 * the peer sent data instead, or after {@link Loopback#IO_TIMEOUT}.
	 */
	static void awaitEndOfStream(Socket socket) throws IOException {
		assertThat(socket.getInputStream().read()).as("end of stream on %s", socket).isEqualTo(-1);
	}

	@Override
	public void close() throws IOException {
		Closing.all(this.client, this.accepted, this.listener);
	}
}
