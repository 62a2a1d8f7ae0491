/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.ref.Reference;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;

/**
 * HTTP clients people pick, each with its defaults, and what each does with its idle pooled
 * keep-alive connection when the server goes away. Watched in {@code /proc/net/tcp6} after
 * {@code HttpServer.stop(0)} on Linux 6.18, alike on OpenJDK 17.0.15 and 25.0.3: the server's
 * end goes to FIN_WAIT2 within a few ms (once as late as 388 ms, on a delayed ACK), and then the
 * client either closes its end within 15 ms or leaves it in CLOSE_WAIT.
 */
enum PooledHttpClient {

	/**
	 * The JDK's {@link HttpURLConnection}. Its keep-alive cache never reads an idle connection; its
	 * timer thread wakes every 5 s and closes connections idle for 5 s, so the client end sat in
	 * CLOSE_WAIT for 5 to 10 s (9.8 s watched).
	 */
	HTTP_URL_CONNECTION(true) {
		@Override
		Fetched get(URI uri) throws IOException {
			HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
			connection.setConnectTimeout(Loopback.timeoutMillis());
			connection.setReadTimeout(Loopback.timeoutMillis());
			try (InputStream body = connection.getInputStream()) {
				// Reading to the end and closing hands the connection back to the keep-alive cache.
				String text = new String(body.readAllBytes(), UTF_8);
				// disconnect() would not close it either: only the JDK's timer does.
				return new Fetched(text, () -> {
				});
			}
		}
	},

	/**
	 * OkHttp 5.5.1. Its pool checks a connection's health only when it hands it out again, and
	 * evicts idle ones after 5 minutes: the client end stayed in CLOSE_WAIT for all of the 75 s
	 * watched, after the server end's FIN_WAIT2 had timed out at 60 s.
	 */
	OKHTTP(true) {
		@Override
		Fetched get(URI uri) throws IOException {
			OkHttpClient client = new OkHttpClient.Builder().callTimeout(Loopback.IO_TIMEOUT).build();
			try (Response response = client.newCall(new Request.Builder().url(uri.toURL()).build()).execute()) {
				return new Fetched(response.body().string(), () -> {
					client.connectionPool().evictAll();
					client.dispatcher().executorService().shutdown();
				});
			}
		}
	},

	/**
	 * Apache HttpClient 5.6.5, classic (blocking) API. Its pooling connection manager checks a
	 * connection only when it leases it again, and has no idle evictor unless asked for one: the
	 * client end stayed in CLOSE_WAIT for 61 s, twice. It went some 0.2 s after the server end's
	 * FIN_WAIT2 timed out (tcp_fin_timeout, 60 s); {@code ss} showed a keepalive timer on it, so a
	 * TCP keepalive probe most likely drew a reset once nothing answered for that 4-tuple.
	 */
	APACHE_CLASSIC(true) {
		@Override
		Fetched get(URI uri) throws IOException {
			CloseableHttpClient client = HttpClients.createDefault();
			try {
				String body = client.execute(new HttpGet(uri), response -> EntityUtils.toString(response.getEntity(), UTF_8));
				return new Fetched(body, client);
			}
			catch (IOException | RuntimeException e) {
				Closing.quietly(e, client);
				throw e;
			}
		}
	},

	/**
	 * Apache HttpClient 5.6.5, async API. Its I/O reactor keeps reading every pooled connection,
	 * sees the server's FIN and closes its end: gone within 15 ms in 10 of 10 runs watched.
	 */
	APACHE_ASYNC(false) {
		@Override
		Fetched get(URI uri) throws IOException {
			CloseableHttpAsyncClient client = HttpAsyncClients.createDefault();
			try {
				client.start();
				SimpleHttpResponse response = client.execute(SimpleRequestBuilder.get(uri).build(), null)
					.get(Loopback.IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
				return new Fetched(response.getBodyText(), () -> client.close(CloseMode.GRACEFUL));
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw failed(e, client);
			}
			catch (ExecutionException | TimeoutException e) {
				throw failed(e, client);
			}
		}
	},

	/**
	 * The JDK's {@link HttpClient} (Java 11+). Its selector thread keeps reading every pooled
	 * connection, sees the server's FIN and closes its end: gone within 15 ms in 10 of 10 runs.
	 */
	JDK_HTTP_CLIENT(false) {
		@Override
		Fetched get(URI uri) throws IOException {
			HttpClient client = HttpClient.newBuilder().connectTimeout(Loopback.IO_TIMEOUT).build();
			try {
				HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Loopback.IO_TIMEOUT).build(),
						HttpResponse.BodyHandlers.ofString());
				// Java 17's HttpClient has no close(); its pool dies with it. Once nothing holds the
				// client, a collection shuts its selector down and closes the pooled connection, so
				// the owner keeps it reachable for as long as the fixture keeps the owner.
				return new Fetched(response.body(), () -> Reference.reachabilityFence(client));
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("interrupted while getting " + uri);
			}
		}
	};

	/** A response body, and what closes the client and so its pool. */
	record Fetched(String body, AutoCloseable client) {
	}

	private final boolean leavesCloseWait;

	PooledHttpClient(boolean leavesCloseWait) {
		this.leavesCloseWait = leavesCloseWait;
	}

	/**
	 * Whether the client connects on the thread that asks, so the fixture's own line opens its
	 * end; OkHttp 5 connects on a thread of its own ("OkHttp connect ...").
	 */
	boolean connectsOnTheCallingThread() {
		return this != OKHTTP;
	}

	/** Whether the client leaves its pooled connection in CLOSE_WAIT once the server has gone. */
	boolean leavesCloseWait() {
		return this.leavesCloseWait;
	}

	/** Gets the URI with a fresh client, reads the whole body, and leaves the connection in the client's pool. */
	abstract Fetched get(URI uri) throws IOException;

	private static IOException failed(Exception cause, CloseableHttpAsyncClient client) {
		IOException failure = new IOException("request failed", cause);
		Closing.quietly(failure, () -> client.close(CloseMode.IMMEDIATE));
		return failure;
	}
}
