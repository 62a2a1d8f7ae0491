/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Real loopback connections that tests leave in the states that matter. Every socket stays
 * reachable here, so the GC cannot close a deliberate leak, until {@link #closeAll()}.
 */
final class LoopbackConnections {

	private static final List<AutoCloseable> OPEN = new ArrayList<>();

	/** One end pair of a connection. */
	record Pair(ServerSocket server, Socket client, Socket accepted) {

		int serverPort() {
			return this.server.getLocalPort();
		}

		int clientPort() {
			return this.client.getLocalPort();
		}
	}

	private LoopbackConnections() {
	}

	static synchronized Pair connect() {
		try {
			ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			Socket client = new Socket();
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
			Socket accepted = server.accept();
			OPEN.add(server);
			OPEN.add(client);
			OPEN.add(accepted);
			return new Pair(server, client, accepted);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Client closes, server never does: server side CLOSE_WAIT, client side FIN_WAIT2 minisocket. */
	static Pair serverNeverCloses() {
		Pair pair = connect();
		close(pair.client());
		return pair;
	}

	/** Both ends close: nothing lingers. */
	static Pair cleanlyClosed() {
		Pair pair = connect();
		close(pair.client());
		close(pair.accepted());
		close(pair.server());
		return pair;
	}

	/** Keeps a socket reachable and open until {@link #closeAll()}. */
	static synchronized <T extends AutoCloseable> T keep(T closeable) {
		OPEN.add(closeable);
		return closeable;
	}

	static void close(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	static synchronized void closeAll() {
		for (AutoCloseable closeable : OPEN) {
			close(closeable);
		}
		OPEN.clear();
	}
}
