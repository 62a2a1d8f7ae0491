/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A thread-per-connection echo server on java.net sockets, the kind users start in a test. It
 * closes each connection when the client closes; closing the server closes the listener and every
 * connection still open, and waits for its threads.
 */
final class BlockingEchoServer implements AutoCloseable {

	private final ServerSocket listener;
	private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
		Thread thread = new Thread(runnable, "blocking-echo-server");
		thread.setDaemon(true);
		return thread;
	});
	private final List<Socket> open = new ArrayList<>();
	private boolean closed;

	private BlockingEchoServer(ServerSocket listener) {
		this.listener = listener;
	}

	static BlockingEchoServer start(Loopback loopback) throws IOException {
		BlockingEchoServer server = new BlockingEchoServer(loopback.listen());
		server.threads.execute(server::acceptUntilClosed);
		return server;
	}

	InetSocketAddress address() {
		return (InetSocketAddress) this.listener.getLocalSocketAddress();
	}

	private void acceptUntilClosed() {
		while (!this.listener.isClosed()) {
			try {
				Socket connection = this.listener.accept();
				if (track(connection)) {
					this.threads.execute(() -> echo(connection));
				}
			}
			catch (SocketTimeoutException idle) {
				// no client for a while; look again unless closed
			}
			catch (IOException closed) {
				return;
			}
		}
	}

	/** Registers a new connection, or closes it when the server is closing. */
	private synchronized boolean track(Socket connection) throws IOException {
		if (this.closed) {
			connection.close();
			return false;
		}
		this.open.add(connection);
		return true;
	}

	private void echo(Socket connection) {
		try (connection) {
			connection.setSoTimeout(0);
			connection.getInputStream().transferTo(connection.getOutputStream());
		}
		catch (IOException e) {
			// the client reset the connection, or the server is closing
		}
		finally {
			synchronized (this) {
				this.open.remove(connection);
			}
		}
	}

	@Override
	public void close() throws IOException {
		List<Socket> connections;
		synchronized (this) {
			this.closed = true;
			connections = new ArrayList<>(this.open);
		}
		try {
			Closing.all(this.listener);
			Closing.all(connections);
		}
		finally {
			this.threads.shutdown();
			try {
				if (!this.threads.awaitTermination(Loopback.IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
					throw new IOException("echo server threads still running after " + Loopback.IO_TIMEOUT);
				}
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted while closing the echo server", e);
			}
		}
	}
}
