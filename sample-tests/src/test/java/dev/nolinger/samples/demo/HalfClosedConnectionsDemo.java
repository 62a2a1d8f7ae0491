/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The main job, shown: tests with the bugs people really write, run by Surefire so their failures
 * appear as a user would see them. {@code ./mvnw -Pdemo verify} runs only this class and reports
 * the failures without failing the build; the normal build never runs it.
 */
@NoLingeringSockets
class HalfClosedConnectionsDemo {

	/** The leaks stay reachable until the class is done, as they would in a server that forgot them. */
	private static final List<AutoCloseable> FORGOTTEN = new ArrayList<>();

	@AfterAll
	static void closeForgottenSockets() throws Exception {
		for (AutoCloseable closeable : FORGOTTEN) {
			closeable.close();
		}
	}

	@Test
	void serverForgetsToCloseAcceptedSocket() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
				Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
			Socket accepted = server.accept();
			FORGOTTEN.add(accepted); // the bug: the handler returns without accepted.close()
			client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(accepted.getInputStream().read()).isEqualTo('p');
		}
	}

	@Test
	void clientForgetsToCloseAfterServerHungUp() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
			FORGOTTEN.add(client); // the bug: the client never closes once the server is done
			try (Socket accepted = server.accept(); OutputStream out = accepted.getOutputStream()) {
				out.write("bye\n".getBytes(StandardCharsets.US_ASCII));
			}
			InputStream in = client.getInputStream();
			assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye\n");
		}
	}

	@Test
	void halfCloseWithoutClose() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
			Socket accepted = server.accept();
			FORGOTTEN.add(client);
			FORGOTTEN.add(accepted);
			client.shutdownOutput(); // signals end of request, then neither end ever closes
			assertThat(accepted.getInputStream().read()).isEqualTo(-1);
		}
	}

	@Test
	void embeddedServerNeverStopped() throws IOException {
		GreetingServer server = GreetingServer.start();
		FORGOTTEN.add(server); // the bug: the test never stops the server it started
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			byte[] greeting = client.getInputStream().readNBytes(6);
			assertThat(new String(greeting, StandardCharsets.US_ASCII)).isEqualTo("hello\n");
		}
	}

	@Test
	void closesEverythingAndPasses() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
				Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
				Socket accepted = server.accept()) {
			client.getOutputStream().write(42);
			assertThat(accepted.getInputStream().read()).isEqualTo(42);
		}
	}
}
