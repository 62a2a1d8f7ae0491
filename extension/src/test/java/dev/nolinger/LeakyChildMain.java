/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A child JVM that holds one accepted socket in CLOSE_WAIT: its client closes, the server end
 * never does. Prints the server port, then waits until its stdin closes.
 */
public final class LeakyChildMain {

	private LeakyChildMain() {
	}

	public static void main(String[] args) throws IOException {
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
			Socket accepted = server.accept();
			client.close();
			System.out.println(server.getLocalPort());
			System.out.flush();
			while (System.in.read() >= 0) {
				// until the parent closes our stdin
			}
			accepted.close();
		}
	}
}
