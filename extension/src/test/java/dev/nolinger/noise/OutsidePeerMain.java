/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.noise;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A peer in another process that never closes a connection: it listens on a loopback port
 * ({@code listening PORT}), accepts and keeps every connection, and on {@code connect HOST PORT}
 * connects and keeps that one too ({@code connected LOCALPORT}). It exits when its standard input
 * closes, which closes everything it kept.
 */
public final class OutsidePeerMain {

	private OutsidePeerMain() {
	}

	public static void main(String[] args) throws Exception {
		List<Socket> kept = new ArrayList<>();
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			Thread acceptor = new Thread(() -> {
				while (!server.isClosed()) {
					try {
						Socket accepted = server.accept();
						synchronized (kept) {
							kept.add(accepted);
						}
					}
					catch (Exception e) {
						return;
					}
				}
			});
			acceptor.setDaemon(true);
			acceptor.start();
			System.out.println("listening " + server.getLocalPort());
			BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			for (String line; (line = in.readLine()) != null;) {
				String[] words = line.split(" ");
				if (words[0].equals("connect")) {
					Socket socket = new Socket();
					socket.connect(new InetSocketAddress(words[1], Integer.parseInt(words[2])), 5_000);
					synchronized (kept) {
						kept.add(socket);
					}
					System.out.println("connected " + socket.getLocalPort());
				}
			}
		}
		finally {
			synchronized (kept) {
				for (Socket socket : kept) {
					socket.close();
				}
			}
		}
	}
}
