/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A single-threaded NIO echo server: one {@link Selector} serves the listener and every
 * connection. It closes a connection when the client closes. Closing the server stops the
 * selector thread, which closes every channel and then the selector; only that releases the fds
 * of channels closed while registered.
 */
final class SelectorEchoServer implements AutoCloseable {

	private final ServerSocketChannel listener;
	private final Selector selector;
	private final Thread thread;
	private volatile boolean running = true;
	private volatile Throwable failure;

	private SelectorEchoServer(ServerSocketChannel listener, Selector selector) {
		this.listener = listener;
		this.selector = selector;
		this.thread = new Thread(this::serveUntilClosed, "selector-echo-server");
		this.thread.setDaemon(true);
	}

	static SelectorEchoServer start(Loopback loopback) throws IOException {
		ServerSocketChannel listener = loopback.openServerChannel();
		Selector selector = null;
		try {
			listener.bind(new InetSocketAddress(loopback.address(), 0));
			listener.configureBlocking(false);
			selector = Selector.open();
			listener.register(selector, SelectionKey.OP_ACCEPT);
		}
		catch (IOException | RuntimeException e) {
			Closing.quietly(e, selector, listener);
			throw e;
		}
		SelectorEchoServer server = new SelectorEchoServer(listener, selector);
		server.thread.start();
		return server;
	}

	InetSocketAddress address() throws IOException {
		return (InetSocketAddress) this.listener.getLocalAddress();
	}

	private void serveUntilClosed() {
		try {
			while (this.running) {
				this.selector.select(this::handle, Loopback.IO_TIMEOUT.toMillis());
			}
		}
		catch (IOException | RuntimeException e) {
			this.failure = e;
		}
		finally {
			List<AutoCloseable> channels = new ArrayList<>();
			for (SelectionKey key : this.selector.keys()) {
				channels.add(key.channel());
			}
			channels.add(this.selector);
			try {
				Closing.all(channels);
			}
			catch (IOException e) {
				if (this.failure == null) {
					this.failure = e;
				}
				else {
					this.failure.addSuppressed(e);
				}
			}
		}
	}

	private void handle(SelectionKey key) {
		try {
			if (key.isAcceptable()) {
				accept();
			}
			else if (key.isReadable()) {
				read(key);
			}
			else if (key.isWritable()) {
				write(key);
			}
		}
		catch (IOException e) {
			// the client reset the connection: drop it
			key.cancel();
			Closing.quietly(e, key.channel());
		}
	}

	private void accept() throws IOException {
		SocketChannel connection = this.listener.accept();
		if (connection != null) {
			connection.configureBlocking(false);
			connection.register(this.selector, SelectionKey.OP_READ, ByteBuffer.allocate(4096));
		}
	}

	private void read(SelectionKey key) throws IOException {
		SocketChannel connection = (SocketChannel) key.channel();
		ByteBuffer buffer = (ByteBuffer) key.attachment();
		if (connection.read(buffer) < 0) {
			// The client closed. The fd is released at this thread's next select().
			key.cancel();
			connection.close();
			return;
		}
		write(key);
	}

	private void write(SelectionKey key) throws IOException {
		SocketChannel connection = (SocketChannel) key.channel();
		ByteBuffer buffer = (ByteBuffer) key.attachment();
		buffer.flip();
		connection.write(buffer);
		buffer.compact();
		key.interestOps(buffer.position() > 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
	}

	@Override
	public void close() throws IOException {
		this.running = false;
		this.selector.wakeup();
		try {
			this.thread.join(Loopback.IO_TIMEOUT.toMillis());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while closing the echo server", e);
		}
		if (this.thread.isAlive()) {
			throw new IOException("selector thread still running after " + Loopback.IO_TIMEOUT);
		}
		if (this.failure != null) {
			throw new IOException("the echo server failed", this.failure);
		}
	}
}
