/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * A non-blocking client channel driven through its own {@link Selector}, the way event-loop code
 * talks to a server. Every wait gives up after {@link Loopback#IO_TIMEOUT}.
 */
final class SelectorClient implements AutoCloseable {

	private final SocketChannel channel;
	private final Selector selector;
	private final SelectionKey key;

	private SelectorClient(SocketChannel channel, Selector selector, SelectionKey key) {
		this.channel = channel;
		this.selector = selector;
		this.key = key;
	}

	static SelectorClient connect(Loopback loopback, InetSocketAddress server) throws IOException {
		SocketChannel channel = loopback.openChannel();
		Selector selector = null;
		try {
			channel.configureBlocking(false);
			selector = Selector.open();
			SelectorClient client = new SelectorClient(channel, selector, channel.register(selector, 0));
			if (!channel.connect(server)) {
				client.awaitReady(SelectionKey.OP_CONNECT);
				channel.finishConnect();
			}
			return client;
		}
		catch (IOException | RuntimeException e) {
			Closing.quietly(e, channel, selector);
			throw e;
		}
	}

	InetSocketAddress localAddress() throws IOException {
		return (InetSocketAddress) this.channel.getLocalAddress();
	}

	/**
	 * Sends the message and reads back as many bytes as were sent: an echo server's reply. Reads
	 * while it writes, so a message larger than the socket buffers cannot deadlock.
	 */
	String echo(String message) throws IOException {
		ByteBuffer out = UTF_8.encode(message);
		ByteBuffer in = ByteBuffer.allocate(out.remaining());
		while (in.hasRemaining()) {
			int written = out.hasRemaining() ? this.channel.write(out) : 0;
			int read = this.channel.read(in);
			if (read < 0) {
				throw new EOFException("the server closed after " + in.position() + " of " + in.capacity() + " bytes");
			}
			if (written == 0 && read == 0) {
				awaitReady(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
			}
		}
		return UTF_8.decode(in.flip()).toString();
	}

	private void awaitReady(int operations) throws IOException {
		this.key.interestOps(operations);
		this.selector.selectedKeys().clear();
		long deadline = System.nanoTime() + Loopback.IO_TIMEOUT.toNanos();
		for (long left = Loopback.IO_TIMEOUT.toMillis(); this.selector.select(left) == 0;) {
			left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
			if (left <= 0) {
				throw new SocketTimeoutException("channel not ready within " + Loopback.IO_TIMEOUT + ": " + this.channel);
			}
		}
	}

	/** Closes the channel, then the selector: only deregistration releases a registered channel's fd. */
	@Override
	public void close() throws IOException {
		Closing.all(this.channel, this.selector);
	}
}
