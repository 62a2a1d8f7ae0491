/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import org.jspecify.annotations.Nullable;

/**
 * What the ledger knows of one TCP socket of this JVM: how it came to be, where, and where it
 * was closed. The stacks are kept as captured and turned into frames only when a message needs
 * them, so a socket that never lingers costs one stack capture and no frame objects.
 */
final class LedgerSocket {

	/** How a socket came to be. */
	enum Kind {

		/** It connected: the client end. */
		CONNECTED("connected"),

		/** A listener accepted it: the server end. */
		ACCEPTED("accepted"),

		/** It listens: on the server's side, like the ends it accepts. */
		LISTENING("listening");

		private final String verb;

		Kind(String verb) {
			this.verb = verb;
		}

		String verb() {
			return this.verb;
		}
	}

	/** A captured stack, materialized into frames only when read. */
	static final class Trace extends Throwable {

		private static final long serialVersionUID = 1L;

		Trace() {
			super(null, null, false, true);
		}
	}

	/**
	 * Where and when an open or a close happened.
	 *
	 * @param stack the stack of the thread that did it; null when the GC collected the socket
	 *     unclosed, so no thread closed it, or when {@code afterPeer}
	 * @param testId the unique ID of the test that ran on that thread, or else of the only
	 *     checked test running; null when neither is known
	 * @param nanos {@link System#nanoTime()} at the time
	 * @param onTestThread whether {@code testId} is the test that ran on this very thread, not
	 *     only the one test running at the time: the proof that a socket is a test's own while
	 *     other tests run in parallel
	 * @param afterPeer a close of an end whose other end, also this JVM's, had closed already. Its
	 *     stack is not captured, which is a quarter of what tracing costs a connection: an end
	 *     that closes second cannot be left in FIN_WAIT2 (on loopback the peer's FIN comes before
	 *     any ACK of this end's), so no message needs to say where it closed
	 */
	record Event(@Nullable Trace stack, String thread, @Nullable String testId, long nanos, boolean onTestThread,
			boolean afterPeer) {

		/** An event on a thread that runs no test. */
		Event(@Nullable Trace stack, String thread, @Nullable String testId, long nanos) {
			this(stack, thread, testId, nanos, false, false);
		}

		/** The close of a socket the GC collected unclosed, by the JDK's cleaner. */
		static Event collected(long nanos) {
			return new Event(null, "", null, nanos);
		}

		/** Whether the JDK's cleaner closed the socket, collected without close(). */
		boolean byCleaner() {
			return this.stack == null && !this.afterPeer;
		}
	}

	private final Kind kind;
	private final SocketTuple tuple;
	private final @Nullable Endpoint listener;
	private final Event opened;
	private volatile @Nullable Event closed;
	/** The other end of the connection, when it is this JVM's too and was open when this one opened. */
	private volatile @Nullable LedgerSocket peer;

	/**
	 * @param tuple its 4-tuple; for a listener, its local address and a wildcard remote
	 * @param listener for an accepted socket, the address of the listener that accepted it when
	 *     the ledger knows it
	 */
	LedgerSocket(Kind kind, SocketTuple tuple, @Nullable Endpoint listener, Event opened) {
		this.kind = kind;
		this.tuple = tuple;
		this.listener = listener;
		this.opened = opened;
	}

	Kind kind() {
		return this.kind;
	}

	SocketTuple tuple() {
		return this.tuple;
	}

	@Nullable Endpoint listener() {
		return this.listener;
	}

	Event opened() {
		return this.opened;
	}

	@Nullable Event closed() {
		return this.closed;
	}

	void close(Event event) {
		this.closed = event;
	}

	/** Links the two ends of one connection, both this JVM's. */
	void pair(LedgerSocket other) {
		this.peer = other;
		other.peer = this;
	}

	/** Breaks the link, so a record dropped from the ledger is not kept alive by its peer's. */
	void unpair() {
		LedgerSocket other = this.peer;
		if (other != null) {
			other.peer = null;
			this.peer = null;
		}
	}

	/** Whether the other end is this JVM's and has been closed. */
	boolean peerClosed() {
		LedgerSocket other = this.peer;
		return other != null && other.closed != null;
	}

	/** The end of the connection this socket is: its kind says, with no guess from listeners. */
	Finding.Role role() {
		return switch (this.kind) {
			case CONNECTED -> Finding.Role.CLIENT;
			case ACCEPTED, LISTENING -> Finding.Role.SERVER;
		};
	}

	@Override
	public String toString() {
		return this.kind.verb() + " " + this.tuple + (this.closed == null ? "" : ", closed");
	}
}
