/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A peer in another process that never closes a connection, the way a service under test, a
 * container or a stub server outside the test JVM may behave. It listens on a loopback port and
 * keeps every connection it accepts; on request it connects to a port and keeps that connection
 * too, or closes every connection it accepted. Closing it ends the process, which closes everything
 * it kept.
 */
final class OutsidePeer implements AutoCloseable {

	private final Process process;
	private final BufferedReader output;
	private final Writer input;
	private final int port;

	private OutsidePeer(Process process) throws Exception {
		this.process = process;
		this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		this.input = process.outputWriter(StandardCharsets.UTF_8);
		this.port = Integer.parseInt(nextLine("listening ").substring("listening ".length()));
	}

	/** Starts the peer in a child JVM, without nolinger's agent, and waits until it listens. */
	static OutsidePeer start() throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		return new OutsidePeer(new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
				OutsidePeer.class.getName()).redirectErrorStream(true).start());
	}

	/** The loopback port it listens on. */
	int port() {
		return this.port;
	}

	/** Makes the peer connect to {@code port} on 127.0.0.1 and keep the connection; returns once it has. */
	void connectTo(int port) throws Exception {
		this.input.write("connect " + port + "\n");
		this.input.flush();
		nextLine("connected ");
	}

	/**
	 * Makes the peer close the connection it accepted from local port {@code clientPort}, as a
	 * database or broker closes an idle client's link; returns once it has.
	 */
	void dropConnectionFrom(int clientPort) throws Exception {
		this.input.write("drop " + clientPort + "\n");
		this.input.flush();
		assertThat(nextLine("dropped ")).as("the peer had accepted a connection from port %d", clientPort)
			.isEqualTo("dropped " + clientPort);
	}

	private String nextLine(String prefix) throws Exception {
		return CompletableFuture.supplyAsync(() -> {
			try {
				for (String line; (line = this.output.readLine()) != null;) {
					if (line.startsWith(prefix)) {
						return line;
					}
				}
				throw new IllegalStateException("the outside peer exited before printing '" + prefix + "'");
			}
			catch (IOException e) {
				throw new IllegalStateException(e);
			}
		}).get(Loopback.IO_TIMEOUT.toMillis() * 6, TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() throws IOException {
		this.input.close();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

	/** The child: {@code listening PORT}, then {@code connect PORT} and {@code drop PORT} requests, until standard input closes. */
	public static void main(String[] args) throws Exception {
		List<Socket> kept = new ArrayList<>();
		List<Socket> acceptedOnes = new ArrayList<>();
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			Thread acceptor = new Thread(() -> {
				try {
					while (true) {
						Socket accepted = server.accept();
						synchronized (kept) {
							kept.add(accepted);
							acceptedOnes.add(accepted);
						}
					}
				}
				catch (IOException closed) {
					// the peer is shutting down
				}
			});
			acceptor.setDaemon(true);
			acceptor.start();
			System.out.println("listening " + server.getLocalPort());
			BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
			for (String request; (request = requests.readLine()) != null;) {
				if (request.startsWith("drop ")) {
					int clientPort = Integer.parseInt(request.substring("drop ".length()));
					// The acceptor may not have accepted that connection yet: wait for it, a bounded time.
					long deadline = System.nanoTime() + Loopback.IO_TIMEOUT.toNanos();
					boolean dropped = false;
					while (!dropped && System.nanoTime() < deadline) {
						synchronized (kept) {
							for (Socket accepted : acceptedOnes) {
								if (accepted.getPort() == clientPort) {
									accepted.close();
									dropped = true;
								}
							}
						}
						if (!dropped) {
							Thread.sleep(10);
						}
					}
					System.out.println((dropped ? "dropped " : "dropped none ") + clientPort);
					continue;
				}
				Socket socket = new Socket();
				socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
						Integer.parseInt(request.substring("connect ".length()))), (int) Loopback.IO_TIMEOUT.toMillis());
				synchronized (kept) {
					kept.add(socket);
				}
				System.out.println("connected " + socket.getLocalPort());
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
