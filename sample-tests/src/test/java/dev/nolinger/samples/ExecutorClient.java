/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client that connects on its own executor's thread, as asynchronous clients do, and holds its
 * connections until it is closed: the socket it leaks is opened on its thread, whose frames are all
 * the client's. Its thread is created on the first connect, by the executor.
 */
final class ExecutorClient implements AutoCloseable {

	static final String THREAD = "lineage-client";

	private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
		Thread thread = new Thread(task, THREAD);
		thread.setDaemon(true);
		return thread;
	});
	private final List<Socket> open = new ArrayList<>();

	/** A client whose thread is started now, as clients that start their I/O thread when built. */
	static ExecutorClient started() throws IOException, InterruptedException {
		ExecutorClient client = new ExecutorClient();
		try {
			client.executor.submit(() -> null).get(10, TimeUnit.SECONDS);
		}
		catch (ExecutionException | TimeoutException e) {
			throw new IOException("could not start the client's thread", e);
		}
		return client;
	}

	/** Connects on the executor's thread; bounded. */
	Socket connect(InetSocketAddress server) throws IOException, InterruptedException {
		try {
			Socket socket = this.executor.submit(() -> new Socket(server.getAddress(), server.getPort()))
				.get(10, TimeUnit.SECONDS);
			synchronized (this) {
				this.open.add(socket);
			}
			return socket;
		}
		catch (ExecutionException | TimeoutException e) {
			throw new IOException("could not connect to " + server, e);
		}
	}

	@Override
	public void close() throws IOException {
		synchronized (this) {
			for (Socket socket : this.open) {
				socket.close();
			}
			this.open.clear();
		}
		this.executor.shutdownNow();
		try {
			this.executor.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
