/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An embedded server as a library ships one: it accepts on its own thread, greets each client and
 * keeps the connection for the next request, until it is stopped. A test that never stops it
 * leaves each connection's server end in CLOSE_WAIT once the client hangs up; the frames that
 * accepted it are all this class's, on its thread.
 */
final class GreetingServer implements AutoCloseable {

	private final ServerSocket listener;
	private final List<Socket> connections = new ArrayList<>();

	private GreetingServer() throws IOException {
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
	}

	static GreetingServer start() throws IOException {
		GreetingServer server = new GreetingServer();
		Thread acceptor = new Thread(server::serve, "greeting-acceptor");
		acceptor.setDaemon(true);
		acceptor.start();
		return server;
	}

	int port() {
		return this.listener.getLocalPort();
	}

	private void serve() {
		while (!this.listener.isClosed()) {
			try {
				Socket connection = this.listener.accept();
				synchronized (this.connections) {
					this.connections.add(connection); // kept for the next request, closed only by close()
				}
				OutputStream out = connection.getOutputStream();
				out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
			}
			catch (IOException closed) {
				return;
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.listener.close();
		synchronized (this.connections) {
			for (Socket connection : this.connections) {
				connection.close();
			}
		}
	}
}
