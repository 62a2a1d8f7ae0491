/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.net.InetSocketAddress;

import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Entry points the instrumented JDK calls, through the agent's bootstrap bridge. Not API: public
 * only because the bridge, loaded by the bootstrap class loader, dispatches here. Never throws.
 *
 * <p>Provisional: the ledger replaces these bodies. Until then the calls go to a recorder that
 * the agent's tests install.
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class LedgerEvents {

	/** What the tests of the agent observe; the ledger keeps calling it after its own work. */
	interface Recorder {

		void connected(Object socket, InetSocketAddress local, InetSocketAddress remote);

		void accepted(Object socket, InetSocketAddress local, InetSocketAddress remote);

		void listening(Object socket, InetSocketAddress local);

		void closed(Object socket);
	}

	private static volatile boolean tracing;

	static volatile @Nullable Recorder recorder;

	private LedgerEvents() {
	}

	/** A TCP socket connected (client end); {@code socket} names it until {@link #closed}. */
	public static void connected(Object socket, InetSocketAddress local, InetSocketAddress remote) {
		Recorder recorder = LedgerEvents.recorder;
		if (recorder != null) {
			recorder.connected(socket, local, remote);
		}
	}

	/** A TCP socket accepted by a listener (server end). */
	public static void accepted(Object socket, InetSocketAddress local, InetSocketAddress remote) {
		Recorder recorder = LedgerEvents.recorder;
		if (recorder != null) {
			recorder.accepted(socket, local, remote);
		}
	}

	/** A TCP listener bound and listening. */
	public static void listening(Object socket, InetSocketAddress local) {
		Recorder recorder = LedgerEvents.recorder;
		if (recorder != null) {
			recorder.listening(socket, local);
		}
	}

	/** close(), or the JDK's cleaner, closed the socket; may come more than once, or for a socket never reported. */
	public static void closed(Object socket) {
		Recorder recorder = LedgerEvents.recorder;
		if (recorder != null) {
			recorder.closed(socket);
		}
	}

	/** Whether the agent is installed and every hook is live. */
	public static boolean tracing() {
		return tracing;
	}

	/** Called by the agent once, when every hook is in place. */
	static void startTracing() {
		tracing = true;
	}
}
