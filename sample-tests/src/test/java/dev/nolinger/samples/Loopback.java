/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * The ways these samples reach the loopback interface, which file of {@code /proc/net} lists
 * their sockets, and how nolinger prints their endpoints.
 */
enum Loopback {

	/** 127.0.0.1 with the JDK's default sockets: AF_INET6, listed in tcp6 as {@code ::ffff:127.0.0.1}. */
	IPV4("127.0.0.1", "127.0.0.1", null, "tcp6"),

	/** 127.0.0.1 with channels opened for {@link StandardProtocolFamily#INET}: AF_INET, listed in tcp. */
	IPV4_ONLY("127.0.0.1", "127.0.0.1", StandardProtocolFamily.INET, "tcp"),

	/** {@code ::1}, listed in tcp6. */
	IPV6("::1", "[::1]", StandardProtocolFamily.INET6, "tcp6");

	/** How long any single connect, accept or read in these samples may block. */
	static final Duration IO_TIMEOUT = Duration.ofSeconds(5);

	private final InetAddress address;
	private final String printedAddress;
	private final ProtocolFamily family;
	private final String procFile;

	Loopback(String address, String printedAddress, ProtocolFamily family, String procFile) {
		try {
			this.address = InetAddress.getByName(address);
		}
		catch (UnknownHostException e) {
			throw new UncheckedIOException(e);
		}
		this.printedAddress = printedAddress;
		this.family = family;
		this.procFile = procFile;
	}

	InetAddress address() {
		return this.address;
	}

	/** The file under /proc/net that lists these sockets: {@code tcp} or {@code tcp6}. */
	String procFile() {
		return this.procFile;
	}

	/** An endpoint as nolinger prints it in a failure message, such as {@code 127.0.0.1:40000} or {@code [::1]:40000}. */
	String printed(InetSocketAddress endpoint) {
		return this.printedAddress + ":" + endpoint.getPort();
	}

	/** A listening socket on an ephemeral port; accept() gives up after {@link #IO_TIMEOUT}. */
	ServerSocket listen() throws IOException {
		ServerSocket listener = this == IPV4_ONLY ? openServerChannel().bind(new InetSocketAddress(this.address, 0)).socket()
				: new ServerSocket(0, 50, this.address);
		listener.setSoTimeout(timeoutMillis());
		return listener;
	}

	/** A connected client socket; reads give up after {@link #IO_TIMEOUT}. */
	Socket connect(InetSocketAddress server) throws IOException {
		Socket client = this == IPV4_ONLY ? openChannel().socket() : new Socket();
		try {
			client.connect(server, timeoutMillis());
			client.setSoTimeout(timeoutMillis());
			return client;
		}
		catch (IOException | RuntimeException e) {
			client.close();
			throw e;
		}
	}

	/** A server channel of this family; IPV4 leaves the family to the JDK, like most user code. */
	ServerSocketChannel openServerChannel() throws IOException {
		return this.family == null ? ServerSocketChannel.open() : ServerSocketChannel.open(this.family);
	}

	/** A client channel of this family; IPV4 leaves the family to the JDK, like most user code. */
	SocketChannel openChannel() throws IOException {
		return this.family == null ? SocketChannel.open() : SocketChannel.open(this.family);
	}

	static int timeoutMillis() {
		return Math.toIntExact(IO_TIMEOUT.toMillis());
	}
}
