/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The JDK's own HTTP server ({@code com.sun.net.httpserver}) on loopback, the way a test starts
 * one for the HTTP client it tests. It answers every request with {@value #BODY} and keeps the
 * connection alive, and it remembers where each request came from. Closing it stops it at once:
 * {@code stop(0)} closes every connection it holds, idle keep-alive ones too.
 */
final class HelloHttpServer implements AutoCloseable {

	static final String BODY = "hello";

	private final Loopback loopback;
	private final HttpServer server;
	private final List<InetSocketAddress> clients = new CopyOnWriteArrayList<>();

	private HelloHttpServer(Loopback loopback, HttpServer server) {
		this.loopback = loopback;
		this.server = server;
	}

	static HelloHttpServer start(Loopback loopback) throws IOException {
		HelloHttpServer hello = new HelloHttpServer(loopback,
				HttpServer.create(new InetSocketAddress(loopback.address(), 0), 0));
		hello.server.createContext("/", hello::answer);
		hello.server.start();
		return hello;
	}

	private void answer(HttpExchange exchange) throws IOException {
		if (!this.clients.contains(exchange.getRemoteAddress())) {
			this.clients.add(exchange.getRemoteAddress());
		}
		exchange.getRequestBody().readAllBytes();
		byte[] body = BODY.getBytes(UTF_8);
		exchange.sendResponseHeaders(200, body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	InetSocketAddress address() {
		return this.server.getAddress();
	}

	URI uri() {
		return URI.create("http://" + this.loopback.printed(address()) + "/");
	}

	/** The client end of the one connection that carried every request so far. */
	InetSocketAddress onlyClient() {
		assertThat(this.clients).as("client ends that sent requests to %s", uri()).hasSize(1);
		return this.clients.get(0);
	}

	@Override
	public void close() {
		this.server.stop(0);
	}
}
