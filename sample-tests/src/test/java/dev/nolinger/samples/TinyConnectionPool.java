/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A keep-alive connection pool behind a fluent static API, as some HTTP client facades have:
 * {@code TinyConnectionPool.get(server)} leases a connection from a pool the caller never sees,
 * sends one request and hands the connection back, open, for the next call. A test that makes
 * its request this way has nothing to close at its line; only evicting the pool closes the
 * connection. Named like a pool, as real ones are, which is all nolinger goes by.
 */
final class TinyConnectionPool {

	/** The hidden static pool the fluent call goes through. */
	private static final TinyConnectionPool SHARED = new TinyConnectionPool();

	private final Deque<Socket> idle = new ArrayDeque<>();

	private TinyConnectionPool() {
	}

	/** Sends {@code GET /} to an HTTP server over a pooled connection and returns the body's 5 bytes. */
	static String get(InetSocketAddress server) throws IOException {
		Socket connection = SHARED.lease(server);
		connection.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII));
		InputStream in = connection.getInputStream();
		// The response's head ends with an empty line; the servers it meets send a 5-byte body.
		int matched = 0;
		for (int b; matched < 4 && (b = in.read()) >= 0;) {
			matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
		}
		String body = new String(in.readNBytes(5), US_ASCII);
		SHARED.release(connection);
		return body;
	}

	/** Closes every idle connection: what a test that used the fluent API must call. */
	static void evictAll() throws IOException {
		synchronized (SHARED) {
			for (Socket connection : SHARED.idle) {
				connection.close();
			}
			SHARED.idle.clear();
		}
	}

	private synchronized Socket lease(InetSocketAddress server) throws IOException {
		Socket pooled = this.idle.pollFirst();
		if (pooled != null) {
			return pooled;
		}
		Socket connection = new Socket();
		connection.setSoTimeout(Loopback.timeoutMillis());
		connection.connect(server, Loopback.timeoutMillis());
		return connection;
	}

	private synchronized void release(Socket connection) {
		this.idle.addLast(connection);
	}
}
