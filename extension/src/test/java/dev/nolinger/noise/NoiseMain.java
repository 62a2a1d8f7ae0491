/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.noise;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A separate noise process: on loopback it keeps opening connections and leaving them half-closed,
 * so the socket table holds hundreds of CLOSE_WAIT and FIN_WAIT2 sockets that belong to another
 * process, rotating at a few hundred per second. It stops by itself after its time, after its
 * connection budget, or as soon as its parent closes its standard input.
 *
 * <p>Arguments: seconds to run, connections per second, half-closed connections to keep.
 * Prints {@code ready} once the table is full and {@code done N} when it stops.
 */
public final class NoiseMain {

	private NoiseMain() {
	}

	public static void main(String[] args) throws Exception {
		long seconds = Long.parseLong(args[0]);
		int perSecond = Integer.parseInt(args[1]);
		int keep = Integer.parseInt(args[2]);
		long deadline = System.nanoTime() + seconds * 1_000_000_000L;
		long budget = seconds * perSecond;
		Thread watchdog = new Thread(NoiseMain::exitWhenParentGoes, "noise-watchdog");
		watchdog.setDaemon(true);
		watchdog.start();
		Deque<Socket> lingering = new ArrayDeque<>();
		long made = 0;
		boolean ready = false;
		try (ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
			long pause = 1_000_000_000L / perSecond;
			long next = System.nanoTime();
			while (System.nanoTime() < deadline && made < budget) {
				Socket client = new Socket();
				client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 2_000);
				Socket accepted = server.accept();
				// Alternate which end forgets to close: CLOSE_WAIT on the server or on the client side.
				if (made % 2 == 0) {
					client.close();
					lingering.add(accepted);
				}
				else {
					accepted.close();
					lingering.add(client);
				}
				made++;
				while (lingering.size() > keep) {
					lingering.poll().close();
				}
				if (!ready && lingering.size() >= keep) {
					ready = true;
					System.out.println("ready");
					System.out.flush();
				}
				next += pause;
				long sleep = next - System.nanoTime();
				if (sleep > 0) {
					Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
				}
			}
		}
		finally {
			for (Socket socket : lingering) {
				socket.close();
			}
		}
		System.out.println("done " + made);
	}

	private static void exitWhenParentGoes() {
		try {
			while (System.in.read() >= 0) {
				// the parent writes nothing; EOF means it is gone
			}
		}
		catch (IOException e) {
			// treat as gone
		}
		System.exit(0);
	}
}
