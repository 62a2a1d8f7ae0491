/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The other process of a held link: listens on 127.0.0.1, prints {@code listening PORT}, accepts
 * one connection (printing {@code accepted}: until then its end has no inode), and closes it when it reads {@code close} on its input (printing {@code closed}).
 * It ends when its input ends, or after 60 s whatever happens, so it never outlives its test by long.
 */
public final class LinkPeerMain {

	private LinkPeerMain() {
	}

	public static void main(String[] args) throws Exception {
		Thread limit = new Thread(() -> {
			try {
				Thread.sleep(60_000);
			}
			catch (InterruptedException e) {
				return;
			}
			Runtime.getRuntime().halt(2);
		});
		limit.setDaemon(true);
		limit.start();
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			System.out.println("listening " + server.getLocalPort());
			System.out.flush();
			Socket accepted = server.accept();
			System.out.println("accepted");
			System.out.flush();
			BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			for (String line; (line = input.readLine()) != null;) {
				if (line.equals("close")) {
					accepted.close();
					System.out.println("closed");
					System.out.flush();
				}
			}
		}
	}
}
