/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;

import dev.nolinger.LingeringSocketsError;
import dev.nolinger.NoLingeringSockets;
import dev.nolinger.TcpState;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Traced failures whose leaked connection a connection pool opened and still holds: the line
 * that made the request has nothing to close, so the row says a pool holds the connection and
 * the {@code Fix:} says to close or evict that pool, or the client that owns it. Real sockets:
 * a fluent call through a hidden static pool ({@link TinyConnectionPool}), Apache
 * HttpClient's classic client, whose pooling connection manager keeps the connection after the
 * server stopped, and OkHttp, which connects from a class that holds its pool. Line numbers come
 * from {@link SourceLine} markers.
 */
class PooledConnectionTests {

	static volatile AcceptorServer server;
	static volatile CloseableHttpClient apache;
	static volatile StackTraceElement requestLine;
	static volatile OkHttpClient okHttp;
	static volatile InetSocketAddress okHttpServer;

	@AfterEach
	void closeEverything() throws Exception {
		TinyConnectionPool.evictAll();
		if (server != null) {
			server.close();
			server = null;
		}
		if (apache != null) {
			apache.close();
			apache = null;
		}
		if (okHttp != null) {
			okHttp.connectionPool().evictAll();
			okHttp.dispatcher().executorService().shutdown();
			okHttp = null;
		}
	}

	@Test
	void aFluentCallThroughAHiddenStaticPoolSaysToEvictThePoolNotToCloseSomethingAtItsLine() {
		assumeTrue(LingeringFailures.TRACED, "run by Surefire's traced execution");
		LingeringSocketsError failure = FixtureRun.lingeringFailureOf(FluentPoolTestCases.class);

		String message = failure.getMessage();
		assertThat(message).contains("\n    connected on thread \"main\":\n\tat dev.nolinger.samples.TinyConnectionPool.lease(")
			.contains("\n\tat " + SourceLine.text(requestLine)
					+ "\n    a connection pool holds this connection: TinyConnectionPool opened it, and keeps it open for reuse\n")
			.endsWith("\nFix: close or evict the connection pool TinyConnectionPool, or close the client that owns it: it holds"
					+ " the client end opened at " + SourceLine.fileAndLine(requestLine) + ", and keeps it open after its request (CLOSE_WAIT: the"
					+ " server closed; this JVM had not closed it within 200 ms of grace).");
		assertThat(failure.getStackTrace()).as("the click lands on the request's line, and the stack stops at the test")
			.containsExactly(requestLine);
	}

	@Test
	void apacheHttpClientsPoolingConnectionManagerHoldingAConnectionTheServerClosedIsNamed() {
		assumeTrue(LingeringFailures.TRACED, "run by Surefire's traced execution");
		LingeringSocketsError failure = FixtureRun.lingeringFailureOf(ApachePoolTestCases.class);

		String message = failure.getMessage();
		assertThat(message).contains("\n    a connection pool holds this connection: PoolingHttpClientConnectionManager opened it,"
				+ " and keeps it open for reuse\n")
			.contains("\n\tat " + SourceLine.text(requestLine) + "\n")
			.endsWith("\nFix: close or evict the connection pool PoolingHttpClientConnectionManager, or close the client that"
					+ " owns it: it holds the client end opened at " + SourceLine.fileAndLine(requestLine) + ", and keeps it open after its request"
					+ " (CLOSE_WAIT: the server closed; this JVM had not closed it within 200 ms of grace).");
		assertThat(failure.getStackTrace()[0]).isEqualTo(requestLine);
	}

	/**
	 * OkHttp looks into its pool, finds no connection, and connects from {@code ConnectPlan},
	 * which holds the pool in a field: no frame of the pool is on the stack, the field says it.
	 */
	@Test
	void okHttpConnectsForItsPoolFromAClassThatHoldsItAndThePoolIsNamed() {
		assumeTrue(LingeringFailures.TRACED, "run by Surefire's traced execution");
		LingeringSocketsError failure = FixtureRun.lingeringFailureOf(OkHttpPoolTestCases.class);

		// OkHttp connects on a thread of its shared task runner, named after the server for the task: started by this
		// request, or by an earlier test in this JVM that used OkHttp (then the row says that test started it).
		String thread = "thread \"OkHttp connect http://127.0.0.1:" + okHttpServer.getPort() + "/...\"";
		String message = failure.getMessage();
		assertThat(message).contains("\n    connected on " + thread + ":\n\tat okhttp3.internal.connection.ConnectPlan.connectSocket(")
			.contains("\n    a connection pool holds this connection: ConnectPlan opened it for its RealConnectionPool, which keeps"
					+ " it open for reuse\n")
			.contains("\nFix: close or evict the connection pool RealConnectionPool, or close the client that owns it: it holds the"
					+ " client end opened ")
			.endsWith(", and keeps it open after its request (CLOSE_WAIT: the server closed; this JVM had not closed it within"
					+ " 200 ms of grace).");
		if (message.contains(thread + " was started during OkHttpPoolTestCases.leaks()")) {
			assertThat(message).contains("\n    " + thread + " was started during OkHttpPoolTestCases.leaks() at " + SourceLine.fileAndLine(requestLine) + "\n")
				.contains("it holds the client end opened on " + thread + ", which " + SourceLine.fileAndLine(requestLine) + " started, and keeps it");
			assertThat(failure.getStackTrace()[0]).isEqualTo(requestLine);
		}
	}

	@NoLingeringSockets
	static class FluentPoolTestCases {

		@Test
		void leaks() throws Exception {
			server = AcceptorServer.start(true);
			String body = TinyConnectionPool.get(server.address()); requestLine = SourceLine.here();
			assertThat(body).isEqualTo("hello");
			server.awaitAccepted(1);
			// The server closes its end; the pool keeps its own, idle, in CLOSE_WAIT.
			server.close();
		}
	}

	/** A request to the server that returns the body; its line is marked with {@link SourceLine} where it is written. */
	interface PageRequest {

		String send(HelloHttpServer server) throws Exception;
	}

	/**
	 * Gets the page with {@code request}, then stops the server under the pooled connection, and
	 * returns once the client's end is left in CLOSE_WAIT.
	 */
	static void getThenStopTheServer(PageRequest request) throws Exception {
		InetSocketAddress client;
		InetSocketAddress address;
		try (HelloHttpServer hello = HelloHttpServer.start(Loopback.IPV4)) {
			assertThat(request.send(hello)).isEqualTo(HelloHttpServer.BODY);
			client = hello.onlyClient();
			address = hello.address();
		}
		ProcNetTcp.awaitState(client, address, TcpState.CLOSE_WAIT);
	}

	@NoLingeringSockets
	static class ApachePoolTestCases {

		@Test
		void leaks() throws Exception {
			getThenStopTheServer(hello -> {
				apache = HttpClients.createDefault();
				String body = apache.execute(new HttpGet(hello.uri()), r -> EntityUtils.toString(r.getEntity(), UTF_8)); requestLine = SourceLine.here();
				return body;
			});
		}
	}

	@NoLingeringSockets
	static class OkHttpPoolTestCases {

		@Test
		void leaks() throws Exception {
			getThenStopTheServer(hello -> {
				okHttpServer = hello.address();
				okHttp = new OkHttpClient.Builder().callTimeout(Loopback.IO_TIMEOUT).build();
				try (Response response = okHttp.newCall(new Request.Builder().url(hello.uri().toURL()).build()).execute()) { requestLine = SourceLine.here();
					return response.body().string();
				}
			});
		}
	}
}
