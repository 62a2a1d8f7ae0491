/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.nolinger.LingeringSocketsError;
import dev.nolinger.NoLingeringSockets;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Traced failures whose leaked socket a library's thread opened or accepted: a server's acceptor
 * thread, a client's executor thread, the JDK HttpClient's threads. Their frames hold no line of
 * the test, so the message leads to the line that started the server or built the client, from
 * where the ledger saw the listener opened and from the lineage of the thread (the test during
 * which it was created, and where). Line numbers come from {@link SourceLine} markers.
 */
class ThreadLineageTests {

	static volatile AcceptorServer server;
	static volatile ExecutorClient client;
	static volatile Socket socket;
	static volatile EventLoopGroup nettyGroup;
	static volatile StackTraceElement serverLine;
	static volatile StackTraceElement clientLine;

	@AfterEach
	void stopEverything() throws Exception {
		if (server != null) {
			server.close();
			server = null;
		}
		if (client != null) {
			client.close();
			client = null;
		}
		if (socket != null) {
			socket.close();
			socket = null;
		}
		if (nettyGroup != null) {
			nettyGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).await(10, java.util.concurrent.TimeUnit.SECONDS);
			nettyGroup = null;
		}
	}

	private static void onlyTraced() {
		assumeTrue(LingeringFailures.TRACED, "run by Surefire's traced execution");
	}

	@Test
	void aConnectionTheServersAcceptorThreadNeverClosedNamesTheLineThatStartedTheServer() {
		onlyTraced();
		LingeringSocketsError failure = FixtureRun.lingeringFailureOf(AcceptorServerTestCases.class);

		String message = failure.getMessage();
		String listener = "127.0.0.1:" + server.address().getPort();
		assertThat(message).contains("\n    accepted on thread \"" + AcceptorServer.THREAD + "\" by listener " + listener
				+ ", started at " + SourceLine.fileAndLine(serverLine) + ":\n")
			.as("the acceptor thread was started on that same line, said once")
			.doesNotContain("was started during")
			.endsWith("\nFix: the server listening on " + listener + ", started at " + SourceLine.fileAndLine(serverLine)
					+ ", had not closed this accepted connection, which the client closed, within 200 ms of grace"
					+ " (CLOSE_WAIT): stop that server, or make it close its connections, before the test ends.");
		assertThat(failure.getStackTrace()[0]).as("the click lands on the line that started the server")
			.isEqualTo(serverLine);
	}

	@Test
	void aConnectionAClientOpenedOnItsExecutorThreadNamesTheLineThatStartedThatThread() {
		onlyTraced();
		LingeringSocketsError failure = FixtureRun.lingeringFailureOf(ExecutorClientTestCases.class);

		String message = failure.getMessage();
		assertThat(message).contains("\n    connected on thread \"" + ExecutorClient.THREAD + "\":\n")
			.contains("\n    thread \"" + ExecutorClient.THREAD + "\" was started during ExecutorClientTestCases.leaks() at "
					+ SourceLine.fileAndLine(clientLine) + "\n")
			.endsWith("\nFix: close the client end opened on thread \"" + ExecutorClient.THREAD + "\", which "
					+ SourceLine.fileAndLine(clientLine) + " started: close or stop what that line built before the test ends (CLOSE_WAIT: the"
					+ " server closed; this JVM had not closed it within 200 ms of grace).");
		assertThat(failure.getStackTrace()[0]).as("the click lands on the line that started the client's thread")
			.isEqualTo(clientLine);
	}

	@Test
	void aClientBuiltInBeforeEachIsNamedByItsLine() {
		onlyTraced();
		LingeringSocketsError failure = FixtureRun.lingeringFailureOf(ClientFixtureTestCases.class);

		String message = failure.getMessage();
		assertThat(message).contains("\n    thread \"" + ExecutorClient.THREAD + "\" was started during ClientFixtureTestCases.leaks() at "
				+ SourceLine.fileAndLine(clientLine) + "\n")
			.endsWith("\nFix: close the client end opened on thread \"" + ExecutorClient.THREAD + "\", which "
					+ SourceLine.fileAndLine(clientLine) + " started: close or stop what that line built before the test ends (CLOSE_WAIT: the"
					+ " server closed; this JVM had not closed it within 200 ms of grace).");
		assertThat(failure.getStackTrace()[0]).isEqualTo(clientLine);
	}

	@Test
	void theJdkHttpClientsConnectionToAServerThatNeverClosesNamesTheLinesThatBuiltTheClientAndStartedTheServer() {
		onlyTraced();
		LingeringSocketsError failure = FixtureRun.lingeringFailureOf(HttpClientTestCases.class);

		String message = failure.getMessage();
		String listener = "127.0.0.1:" + server.address().getPort();
		// The client closed first, on the HttpClient's own threads. The JDK creates them without inheriting
		// inheritable thread locals; the agent's hook on Thread.start hands them the test's lineage, from the line that
		// built the client, whose constructor starts the selector thread.
		assertThat(message).containsPattern("\n    connected on thread \"HttpClient-\\d+-SelectorManager\":\n")
			.containsPattern("\n    thread \"HttpClient-\\d+-SelectorManager\" was started during HttpClientTestCases.leaks\\(\\) at "
					+ java.util.regex.Pattern.quote(SourceLine.fileAndLine(clientLine)) + "\n")
			.contains("\n    accepted on thread \"" + AcceptorServer.THREAD + "\" by listener " + listener
					+ ", started at " + SourceLine.fileAndLine(serverLine) + ":\n")
			.endsWith("\nFix: the server listening on " + listener + ", started at " + SourceLine.fileAndLine(serverLine)
					+ ", had not closed this accepted connection, which the client closed, within 200 ms of grace"
					+ " (CLOSE_WAIT): stop that server, or make it close its connections, before the test ends.");
		assertThat(failure.getStackTrace()[0]).isEqualTo(serverLine);
	}

	@Test
	void aNettyNioClientsConnectionNamesTheLineThatBuiltAndConnectedTheClient() {
		onlyTraced();
		LingeringSocketsError failure = FixtureRun.lingeringFailureOf(NettyClientTestCases.class);

		String message = failure.getMessage();
		// Netty starts its event loop's thread at the first task, the channel's registration,
		// which connect() submits from the test's thread: the thread's lineage is that line.
		String thread = "multiThreadIoEventLoopGroup-\\d+-1";
		assertThat(message).containsPattern("\n    connected on thread \"" + thread + "\":\n")
			.containsPattern("\n    thread \"" + thread + "\" was started during NettyClientTestCases.leaks\\(\\) at "
					+ java.util.regex.Pattern.quote(SourceLine.fileAndLine(clientLine)) + "\n")
			.containsPattern("\nFix: close the client end opened on thread \"" + thread + "\", which "
					+ java.util.regex.Pattern.quote(SourceLine.fileAndLine(clientLine) + " started: close or stop what that line built before the"
							+ " test ends (CLOSE_WAIT: the server closed; this JVM had not closed it within 200 ms of grace).")
					+ "$");
		assertThat(failure.getStackTrace()[0]).as("the click lands on the line that built and connected the client")
			.isEqualTo(clientLine);
	}

	@Test
	void aServerStartedForTheClassNamesItsBeforeAllLine() {
		onlyTraced();
		LingeringSocketsError failure = FixtureRun.lingeringFailureOf(ClassServerTestCases.class);

		String message = failure.getMessage();
		String listener = "127.0.0.1:" + ClassServerTestCases.classServerPort;
		assertThat(message).contains("\n    accepted on thread \"" + AcceptorServer.THREAD + "\" by listener " + listener
				+ ", started at " + SourceLine.fileAndLine(serverLine) + ":\n")
			.endsWith("\nFix: the server listening on " + listener + ", started at " + SourceLine.fileAndLine(serverLine)
					+ ", had not closed this accepted connection, which the client closed, within 200 ms of grace"
					+ " (CLOSE_WAIT): stop that server, or make it close its connections, before the test ends.");
		assertThat(failure.getStackTrace()[0]).isEqualTo(serverLine);
	}

	@NoLingeringSockets
	static class AcceptorServerTestCases {

		@Test
		void leaks() throws Exception {
			server = AcceptorServer.start(false); serverLine = SourceLine.here();
			socket = new Socket(server.address().getAddress(), server.address().getPort());
			server.awaitAccepted(1);
			socket.close();
		}
	}

	@NoLingeringSockets
	static class ExecutorClientTestCases {

		@Test
		void leaks() throws Exception {
			try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
				client = new ExecutorClient();
				client.connect((InetSocketAddress) listener.getLocalSocketAddress()); clientLine = SourceLine.here();
				listener.accept().close();
			}
		}
	}

	@NoLingeringSockets
	static class ClientFixtureTestCases {

		@org.junit.jupiter.api.BeforeEach
		void buildClient() throws Exception {
			client = ExecutorClient.started(); clientLine = SourceLine.here();
		}

		@Test
		void leaks() throws Exception {
			try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
				client.connect((InetSocketAddress) listener.getLocalSocketAddress());
				listener.accept().close();
			}
		}
	}

	@NoLingeringSockets
	static class HttpClientTestCases {

		@Test
		void leaks() throws Exception {
			server = AcceptorServer.start(true); serverLine = SourceLine.here();
			HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(); clientLine = SourceLine.here();
			HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
					+ server.address().getPort() + "/")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.body()).isEqualTo("hello");
			server.awaitAccepted(1);
		}
	}

	@NoLingeringSockets
	static class NettyClientTestCases {

		@Test
		void leaks() throws Exception {
			try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
				nettyGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
				// Half-closure allowed: the client keeps its end after the server's FIN, and never closes it.
				Channel channel = new Bootstrap().group(nettyGroup).channel(NioSocketChannel.class).option(ChannelOption.ALLOW_HALF_CLOSURE, true).handler(new ChannelInboundHandlerAdapter()).connect(listener.getLocalSocketAddress()).sync().channel(); clientLine = SourceLine.here();
				listener.accept().close();
				assertThat(channel.isRegistered()).isTrue();
			}
		}
	}

	@NoLingeringSockets
	static class ClassServerTestCases {

		static volatile int classServerPort;

		@BeforeAll
		static void startServer() throws Exception {
			server = AcceptorServer.start(false); serverLine = SourceLine.here();
			classServerPort = server.address().getPort();
		}

		@AfterAll
		static void stopServer() throws Exception {
			server.close();
		}

		@Test
		void leaks() throws Exception {
			socket = new Socket(server.address().getAddress(), server.address().getPort());
			server.awaitAccepted(1);
			socket.close();
		}
	}
}
