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
 * a fluent call through a hidden static pool ({@link TinyConnectionPool}), and Apache
 * HttpClient's classic client, whose pooling connection manager keeps the connection after the
 * server stopped. Line numbers come from {@link SourceLine} markers.
 */
class PooledConnectionTests {

	static volatile AcceptorServer server;
	static volatile CloseableHttpClient apache;
	static volatile StackTraceElement requestLine;

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
	}

	private static LingeringSocketsError failureOf(Class<?> fixture) {
		Throwable failure = FixtureRun.run(fixture).tests().executions().failed().stream()
			.map(e -> e.getTerminationInfo().getExecutionResult().getThrowable().orElseThrow())
			.findFirst()
			.orElseThrow(() -> new AssertionError(fixture.getSimpleName() + " did not fail"));
		assertThat(failure).isInstanceOf(LingeringSocketsError.class);
		return (LingeringSocketsError) failure;
	}

	private static String at(StackTraceElement frame) {
		return frame.getFileName() + ":" + frame.getLineNumber();
	}

	@Test
	void aFluentCallThroughAHiddenStaticPoolSaysToEvictThePoolNotToCloseSomethingAtItsLine() {
		assumeTrue(LingeringFailures.TRACED, "run by Surefire's traced execution");
		LingeringSocketsError failure = failureOf(FluentPoolTestCases.class);

		String message = failure.getMessage();
		assertThat(message).contains("\n    connected on thread \"main\":\n\tat dev.nolinger.samples.TinyConnectionPool.lease(")
			.contains("\n\tat " + SourceLine.text(requestLine)
					+ "\n    a connection pool holds this connection: TinyConnectionPool opened it, and keeps it open for reuse\n")
			.endsWith("\nFix: close or evict the connection pool TinyConnectionPool, or close the client that owns it: it holds"
					+ " the client end opened at " + at(requestLine) + ", and keeps it open after its request (CLOSE_WAIT: the"
					+ " server closed; this JVM had not closed it within 200 ms of grace).");
		assertThat(failure.getStackTrace()).as("the click lands on the request's line, and the stack stops at the test")
			.containsExactly(requestLine);
	}

	@Test
	void apacheHttpClientsPoolingConnectionManagerHoldingAConnectionTheServerClosedIsNamed() {
		assumeTrue(LingeringFailures.TRACED, "run by Surefire's traced execution");
		LingeringSocketsError failure = failureOf(ApachePoolTestCases.class);

		String message = failure.getMessage();
		assertThat(message).contains("\n    a connection pool holds this connection: PoolingHttpClientConnectionManager opened it,"
				+ " and keeps it open for reuse\n")
			.contains("\n\tat " + SourceLine.text(requestLine) + "\n")
			.endsWith("\nFix: close or evict the connection pool PoolingHttpClientConnectionManager, or close the client that"
					+ " owns it: it holds the client end opened at " + at(requestLine) + ", and keeps it open after its request"
					+ " (CLOSE_WAIT: the server closed; this JVM had not closed it within 200 ms of grace).");
		assertThat(failure.getStackTrace()[0]).isEqualTo(requestLine);
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

	@NoLingeringSockets
	static class ApachePoolTestCases {

		@Test
		void leaks() throws Exception {
			InetSocketAddress client;
			InetSocketAddress address;
			try (HelloHttpServer hello = HelloHttpServer.start(Loopback.IPV4)) {
				apache = HttpClients.createDefault();
				String body = apache.execute(new HttpGet(hello.uri()), r -> EntityUtils.toString(r.getEntity(), UTF_8)); requestLine = SourceLine.here();
				assertThat(body).isEqualTo(HelloHttpServer.BODY);
				client = hello.onlyClient();
				address = hello.address();
			}
			ProcNetTcp.awaitState(client, address, TcpState.CLOSE_WAIT);
		}
	}
}
