/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Entry points the instrumented JDK calls, through the agent's bootstrap bridge, on the thread
 * that did the operation and after it succeeded. Public only so the bridge can reach it; not an
 * API for users. None of these methods ever throws: a failure inside turns into one warning.
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class LedgerEvents {

	private static final Logger LOGGER = Logger.getLogger(LedgerEvents.class.getName());

	private static final AtomicBoolean WARNED = new AtomicBoolean();

	private static volatile boolean tracing;

	/** What the agent's own tests observe, called after the ledger's work; null otherwise. */
	static volatile @Nullable Recorder recorder;

	/** The calls as they arrive, for the agent's tests. */
	interface Recorder {

		void connected(Object socket, InetSocketAddress local, InetSocketAddress remote);

		void accepted(Object socket, InetSocketAddress local, InetSocketAddress remote);

		void listening(Object socket, InetSocketAddress local);

		void closed(Object socket);
	}

	private LedgerEvents() {
	}

	/**
	 * A TCP socket connected: the client end.
	 *
	 * @param socket the JDK object whose identity names the socket until {@link #closed}
	 * @param local its local address, as the JDK reports it
	 * @param remote the address it connected to
	 */
	public static void connected(Object socket, InetSocketAddress local, InetSocketAddress remote) {
		try {
			Ledger.INSTANCE.opened(socket, LedgerSocket.Kind.CONNECTED, local, remote);
		}
		catch (Throwable e) {
			warnOnce(e);
		}
		Recorder recorder = LedgerEvents.recorder;
		if (recorder != null) {
			recorder.connected(socket, local, remote);
		}
	}

	/**
	 * A listener accepted a TCP connection: the server end.
	 *
	 * @param socket the JDK object whose identity names the socket until {@link #closed}
	 * @param local its local address, as the JDK reports it
	 * @param remote the client's address
	 */
	public static void accepted(Object socket, InetSocketAddress local, InetSocketAddress remote) {
		try {
			Ledger.INSTANCE.opened(socket, LedgerSocket.Kind.ACCEPTED, local, remote);
		}
		catch (Throwable e) {
			warnOnce(e);
		}
		Recorder recorder = LedgerEvents.recorder;
		if (recorder != null) {
			recorder.accepted(socket, local, remote);
		}
	}

	/**
	 * A TCP listener bound.
	 *
	 * @param socket the JDK object whose identity names the listener until {@link #closed}
	 * @param local the address it listens on
	 */
	public static void listening(Object socket, InetSocketAddress local) {
		try {
			Ledger.INSTANCE.opened(socket, LedgerSocket.Kind.LISTENING, local, null);
		}
		catch (Throwable e) {
			warnOnce(e);
		}
		Recorder recorder = LedgerEvents.recorder;
		if (recorder != null) {
			recorder.listening(socket, local);
		}
	}

	/**
	 * {@code close()}, or the JDK's cleaner, closed the socket. Calls after the first, and calls
	 * for a socket the ledger never saw open, are ignored.
	 *
	 * @param socket the object passed when it opened
	 */
	public static void closed(Object socket) {
		try {
			Ledger.INSTANCE.closed(socket);
		}
		catch (Throwable e) {
			warnOnce(e);
		}
		Recorder recorder = LedgerEvents.recorder;
		if (recorder != null) {
			recorder.closed(socket);
		}
	}

	/**
	 * The JDK's cleaner action for a socket ran: inside close(), after {@link #closed}, which
	 * makes this call a no-op, or on the cleaner's thread for a socket collected without close().
	 *
	 * @param socket the object passed when it opened
	 */
	public static void cleaned(Object socket) {
		try {
			Ledger.INSTANCE.cleaned(socket);
		}
		catch (Throwable e) {
			warnOnce(e);
		}
		Recorder recorder = LedgerEvents.recorder;
		if (recorder != null) {
			recorder.closed(socket);
		}
	}

	/**
	 * Whether the agent is installed and every hook is in place.
	 *
	 * @return true once {@link #startTracing()} ran
	 */
	public static boolean tracing() {
		return tracing;
	}

	/** Called by the agent once every hook is in place. */
	public static void startTracing() {
		tracing = true;
	}

	/** Called by the agent when it turns tracing off, such as on a JDK of an unexpected shape. */
	public static void stopTracing() {
		tracing = false;
	}

	private static void warnOnce(Throwable e) {
		if (WARNED.compareAndSet(false, true)) {
			LOGGER.log(Level.WARNING, "nolinger: the socket ledger failed and records nothing more of this socket", e);
		}
	}
}
