/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What fixtures leak on purpose. A leaked java.net socket that becomes unreachable is closed by
 * the GC's Cleaner, which would end the leak at a random moment, maybe in a later test; so every
 * leaked socket stays reachable here until the test that ran the fixture calls {@link #closeAll()}.
 * The recorded endpoints tell that test which ports nolinger must name.
 */
final class Leaks {

	private static final List<AutoCloseable> KEPT = new ArrayList<>();
	private static final List<LeakedConnection> CONNECTIONS = new ArrayList<>();
	private static final List<InetSocketAddress> LISTENERS = new ArrayList<>();

	private static StackTraceElement listenerOpenedAt;

	private Leaks() {
	}

	/**
	 * Opens a loopback connection, closes its listener like a server shut down at the end of a
	 * test, leaks the connection in the given shape, and returns once both ends linger. The end
	 * that closed first passes through FIN_WAIT1 until the peer's ACK, which Linux may delay by
	 * 40 ms or more, and only then lingers in FIN_WAIT2.
	 */
	static LeakedConnection leak(LeakShape shape, Loopback loopback) throws IOException {
		LeakedConnection leaked = leak(shape, loopback, false);
		leaked.awaitSettled();
		return leaked;
	}

	/** Like {@link #leak}, but leaves the listener open. */
	static LeakedConnection leakWhileListening(LeakShape shape, Loopback loopback) throws IOException {
		LeakedConnection leaked = leak(shape, loopback, true);
		leaked.awaitSettled();
		return leaked;
	}

	/** Like {@link #leak}, but returns at once, maybe while the end that closed first is in FIN_WAIT1. */
	static LeakedConnection leakStillClosing(LeakShape shape, Loopback loopback) throws IOException {
		return leak(shape, loopback, false);
	}

	private static synchronized LeakedConnection leak(LeakShape shape, Loopback loopback, boolean keepListening)
			throws IOException {
		LoopbackConnection connection = LoopbackConnection.open(loopback);
		KEPT.add(connection);
		if (!keepListening) {
			connection.listener().close();
		}
		shape.leave(connection);
		return record(new LeakedConnection(shape, loopback, connection.clientAddress(), connection.serverAddress(),
				keepListening, SourceLine.callerOf(Leaks.class)));
	}

	/**
	 * Records a connection that a fixture leaked through other code, such as an HTTP client's
	 * pool, and keeps {@code owners} reachable until {@link #closeAll()} closes them.
	 */
	static synchronized LeakedConnection record(LeakedConnection leaked, AutoCloseable... owners) {
		KEPT.addAll(List.of(owners));
		CONNECTIONS.add(leaked);
		return leaked;
	}

	/** Opens a listening socket and never closes it. */
	static synchronized ServerSocket listenerLeftOpen(Loopback loopback) throws IOException {
		listenerOpenedAt = SourceLine.callerOf(Leaks.class);
		ServerSocket listener = loopback.listen();
		KEPT.add(listener);
		LISTENERS.add((InetSocketAddress) listener.getLocalSocketAddress());
		return listener;
	}

	/** The one connection leaked since the last take; fails if there were none or more. */
	static synchronized LeakedConnection takeOnly() {
		assertThat(CONNECTIONS).as("connections leaked by the fixture").hasSize(1);
		return takeAll().get(0);
	}

	/** The connections leaked since the last take, one per shape. */
	static synchronized Map<LeakShape, LeakedConnection> takeByShape() {
		return takeAll().stream().collect(Collectors.toMap(LeakedConnection::shape, Function.identity()));
	}

	/** The fixture's frame that called {@link #listenerLeftOpen} last. */
	static synchronized StackTraceElement listenerOpenedAt() {
		return listenerOpenedAt;
	}

	/** The one listener leaked since the last take. */
	static synchronized InetSocketAddress takeOnlyListener() {
		assertThat(LISTENERS).as("listeners leaked by the fixture").hasSize(1);
		return LISTENERS.remove(0);
	}

	/** The connections leaked since the last take, in the order they were leaked; their sockets stay open. */
	static synchronized List<LeakedConnection> takeAll() {
		List<LeakedConnection> taken = new ArrayList<>(CONNECTIONS);
		CONNECTIONS.clear();
		return taken;
	}

	/** Closes every leaked socket and forgets all records. */
	static synchronized void closeAll() throws IOException {
		List<AutoCloseable> kept = new ArrayList<>(KEPT);
		KEPT.clear();
		CONNECTIONS.clear();
		LISTENERS.clear();
		Closing.all(kept);
	}
}
