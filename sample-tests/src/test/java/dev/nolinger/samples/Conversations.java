/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.Socket;

/** Request and reply over a connected blocking socket. */
final class Conversations {

	private Conversations() {
	}

	/** Sends the message and reads back as many bytes as were sent: an echo server's reply. */
	static String echo(Socket socket, String message) throws IOException {
		byte[] sent = message.getBytes(UTF_8);
		socket.getOutputStream().write(sent);
		socket.getOutputStream().flush();
		return new String(socket.getInputStream().readNBytes(sent.length), UTF_8);
	}

	/** Reads everything until the peer closes its output. */
	static String readToEnd(Socket socket) throws IOException {
		return new String(socket.getInputStream().readAllBytes(), UTF_8);
	}

	static void send(Socket socket, String message) throws IOException {
		socket.getOutputStream().write(message.getBytes(UTF_8));
		socket.getOutputStream().flush();
	}

	/**
	 * An HTTP/1.0-style exchange: the client sends its request and shuts down its output; the
	 * server reads to the end, replies {@code "re: " + request} and closes; the client reads the
	 * reply to the end. Both ends run on this thread, as small messages fit the socket buffers.
	 *
	 * @return the reply as the client read it
	 */
	static String halfCloseExchange(LoopbackConnection connection, String request) throws IOException {
		send(connection.client(), request);
		connection.client().shutdownOutput();
		String received = readToEnd(connection.accepted());
		send(connection.accepted(), "re: " + received);
		connection.accepted().close();
		return readToEnd(connection.client());
	}
}
