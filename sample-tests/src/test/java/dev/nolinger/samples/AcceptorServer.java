/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server with its own acceptor thread, as embedded servers have, that never closes the
 * connections it accepts until it is stopped: the socket it leaks is accepted on its thread, whose
 * frames are all the server's. In HTTP mode it answers one request per connection with
 * {@code Connection: close}, so the client closes first.
 */
final class AcceptorServer implements AutoCloseable {

	static final String THREAD = "lineage-acceptor";

	private final ServerSocket listener;
	private final boolean http;
	private final Thread acceptor;
	private final List<Socket> accepted = new ArrayList<>();

	private AcceptorServer(boolean http) throws IOException {
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.http = http;
		this.acceptor = new Thread(this::acceptUntilClosed, THREAD);
		this.acceptor.setDaemon(true);
	}

	static AcceptorServer start(boolean http) throws IOException {
		AcceptorServer server = new AcceptorServer(http);
		server.acceptor.start();
		return server;
	}

	InetSocketAddress address() {
		return (InetSocketAddress) this.listener.getLocalSocketAddress();
	}

	/** Waits, bounded, until {@code count} connections were accepted (and, in HTTP mode, answered). */
	synchronized void awaitAccepted(int count) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (this.accepted.size() < count && System.nanoTime() < deadline) {
			wait(100);
		}
	}

	private void acceptUntilClosed() {
		while (!this.listener.isClosed()) {
			try {
				Socket connection = this.listener.accept();
				if (this.http) {
					answer(connection);
				}
				synchronized (this) {
					this.accepted.add(connection);
					notifyAll();
				}
			}
			catch (IOException closed) {
				return;
			}
		}
	}

	private static void answer(Socket connection) throws IOException {
		InputStream in = connection.getInputStream();
		// the request's head ends with an empty line; no request this server gets has a body
		int matched = 0;
		for (int b; matched < 4 && (b = in.read()) >= 0;) {
			matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
		}
		connection.getOutputStream()
			.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".getBytes(US_ASCII));
		connection.getOutputStream().flush();
	}

	/** Stops accepting, closes every connection it holds and waits, bounded, for its thread. */
	@Override
	public void close() throws IOException {
		this.listener.close();
		synchronized (this) {
			for (Socket connection : this.accepted) {
				connection.close();
			}
			this.accepted.clear();
		}
		try {
			this.acceptor.join(5_000);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
