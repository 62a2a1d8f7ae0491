/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fills the socket table with established loopback connections held by child JVMs, so the
 * benchmark JVM's own fd table stays small and no process nears the fd limit of 20,000.
 *
 * <p>Each child holds at most {@value #MAX_PER_CHILD} sockets (both ends of half as many
 * connections), lives at most {@value #MAX_LIFETIME_MINUTES} minutes, exits when its parent does
 * or closes its stdin, and resets every connection on the way out, so no TIME_WAIT is left
 * behind to skew the next measurement.
 */
final class LoopbackTable implements AutoCloseable {

	static final int MAX_PER_CHILD = 8_000;

	static final int MAX_SOCKETS = 40_000;

	static final int MAX_LIFETIME_MINUTES = 60;

	private static final long READY_TIMEOUT_SECONDS = 120;

	private final List<Process> children;

	private LoopbackTable(List<Process> children) {
		this.children = children;
	}

	/** Adds {@code sockets} established loopback sockets to the table; returns once they are all open. */
	static LoopbackTable fill(int sockets) {
		if (sockets < 0 || sockets > MAX_SOCKETS || sockets % 2 != 0) {
			throw new IllegalArgumentException("sockets: expected an even number from 0 to " + MAX_SOCKETS + ", got " + sockets);
		}
		List<Process> children = new ArrayList<>();
		LoopbackTable table = new LoopbackTable(children);
		try {
			int left = sockets;
			while (left > 0) {
				int share = Math.min(left, MAX_PER_CHILD);
				children.add(start(share));
				left -= share;
			}
			for (Process child : children) {
				awaitReady(child);
			}
			return table;
		}
		catch (RuntimeException e) {
			table.close();
			throw e;
		}
	}

	private static Process start(int sockets) {
		String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		try {
			return new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
					LoopbackTable.class.getName(), String.valueOf(sockets))
				.redirectError(ProcessBuilder.Redirect.INHERIT)
				.start();
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot start a socket-holding child JVM", e);
		}
	}

	private static void awaitReady(Process child) {
		String[] line = new String[1];
		Thread reader = new Thread(() -> {
			try {
				line[0] = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))
					.readLine();
			}
			catch (IOException e) {
				line[0] = "failed: " + e;
			}
		}, "nolinger-benchmark-child-ready");
		reader.setDaemon(true);
		reader.start();
		try {
			reader.join(TimeUnit.SECONDS.toMillis(READY_TIMEOUT_SECONDS));
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		if (!"ready".equals(line[0])) {
			throw new IllegalStateException("a socket-holding child JVM did not get ready within "
					+ READY_TIMEOUT_SECONDS + " s; it said: " + line[0]);
		}
	}

	/** Stops the children: they reset their connections and exit; any that hang are killed. */
	@Override
	public void close() {
		for (Process child : this.children) {
			try {
				child.getOutputStream().close();
			}
			catch (IOException e) {
				// it is exiting already
			}
		}
		for (Process child : this.children) {
			try {
				if (!child.waitFor(60, TimeUnit.SECONDS)) {
					child.destroyForcibly();
				}
			}
			catch (InterruptedException e) {
				child.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
	}

	/** The child: opens the connections, says "ready", and holds them until told to stop. */
	public static void main(String[] args) throws Exception {
		int sockets = Integer.parseInt(args[0]);
		if (sockets <= 0 || sockets > MAX_PER_CHILD || sockets % 2 != 0) {
			throw new IllegalArgumentException("sockets per child: an even number up to " + MAX_PER_CHILD);
		}
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(MAX_LIFETIME_MINUTES);
		List<Socket> open = new ArrayList<>(sockets);
		InetAddress loopback = InetAddress.getLoopbackAddress();
		try (ServerSocket server = new ServerSocket(0, 128, loopback)) {
			for (int i = 0; i < sockets / 2; i++) {
				Socket client = new Socket();
				open.add(client);
				client.connect(new InetSocketAddress(loopback, server.getLocalPort()), 10_000);
				open.add(server.accept());
			}
			System.out.println("ready");
			System.out.flush();
			ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
			Thread stdin = new Thread(() -> {
				try {
					while (System.in.read() >= 0) {
						// nothing is sent; EOF means stop
					}
				}
				catch (IOException e) {
					// treated as EOF
				}
			}, "stdin-watch");
			stdin.setDaemon(true);
			stdin.start();
			while (stdin.isAlive() && System.nanoTime() < deadline && (parent == null || parent.isAlive())) {
				stdin.join(500);
			}
		}
		finally {
			for (Socket socket : open) {
				try {
					socket.setSoLinger(true, 0);
					socket.close();
				}
				catch (IOException e) {
					// best effort: the exit closes it anyway
				}
			}
		}
	}
}
