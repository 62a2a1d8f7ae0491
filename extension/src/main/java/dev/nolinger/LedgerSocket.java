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

	/** Who closed a socket, as far as the ledger saw. */
	enum Closer {

		/** A thread called close() (or opened the socket: an open event). */
		CALL,

		/** A thread called close() on an end whose other end, also this JVM's, had closed already. */
		AFTER_PEER,

		/** The JDK's cleaner, for a socket collected without close() (NioSocketImpl registers one). */
		CLEANER,

		/**
		 * Nobody: the socket object was collected without close() and no cleaner reported closing
		 * it. A channel registers no cleaner, so its fd stays open until the JVM exits.
		 */
		NOBODY
	}

	/**
	 * Where and when an open or a close happened.
	 *
	 * @param stack the stack of the thread that did it; null when no thread of the application
	 *     closed it (the cleaner did, or nobody) or when it closed after its peer
	 * @param testId the unique ID of the test that ran on that thread, or else of the only
	 *     checked test running; null when neither is known
	 * @param nanos {@link System#nanoTime()} at the time
	 * @param onTestThread whether {@code testId} is the test that ran on this very thread, not
	 *     only the one test running at the time: the proof that a socket is a test's own while
	 *     other tests run in parallel
	 * @param closer who closed it. {@link Closer#AFTER_PEER}: its stack is not captured, which is
	 *     a quarter of what tracing costs a connection: an end that closes second cannot be left
	 *     in FIN_WAIT2 (on loopback the peer's FIN comes before any ACK of this end's), so no
	 *     message needs to say where it closed
	 * @param lineage where the thread came from, when a test (or class fixture) created it, or
	 *     a thread created that way; null on the test's own thread and on every other thread.
	 *     Only the message's "where": never a proof of whose the socket is
	 */
	record Event(@Nullable Trace stack, String thread, @Nullable String testId, long nanos, boolean onTestThread,
			Closer closer, @Nullable LedgerLineage lineage) {

		/** An event on a thread that runs no test. */
		Event(@Nullable Trace stack, String thread, @Nullable String testId, long nanos) {
			this(stack, thread, testId, nanos, false, Closer.CALL, null);
		}

		/** An event by a call, or a close after the peer's when {@code afterPeer}. */
		Event(@Nullable Trace stack, String thread, @Nullable String testId, long nanos, boolean onTestThread,
				boolean afterPeer) {
			this(stack, thread, testId, nanos, onTestThread, afterPeer ? Closer.AFTER_PEER : Closer.CALL, null);
		}

		/** A socket object the GC collected without close(), whose close no cleaner reported. */
		static Event collected(long nanos) {
			return new Event(null, "", null, nanos, false, Closer.NOBODY, null);
		}

		/** The JDK's cleaner closed a socket collected without close(), on its thread. */
		static Event cleaned(String thread, long nanos) {
			return new Event(null, thread, null, nanos, false, Closer.CLEANER, null);
		}

		/** Whether the JDK's cleaner closed the socket, collected without close(). */
		boolean byCleaner() {
			return this.closer == Closer.CLEANER;
		}

		/** Whether the socket object was collected without close() and no cleaner closed it. */
		boolean collectedUnclosed() {
			return this.closer == Closer.NOBODY;
		}

		/** A close of an end whose other end, also this JVM's, had closed already. */
		boolean afterPeer() {
			return this.closer == Closer.AFTER_PEER;
		}
	}

	private final Kind kind;
	private final SocketTuple tuple;
	private final @Nullable Endpoint listener;
	/** The record of the listener that accepted it, when the ledger held it: where the server was started. */
	private final @Nullable LedgerSocket listenerRecord;
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
		this(kind, tuple, listener, null, opened);
	}

	/**
	 * @param listenerRecord for an accepted socket, the listener's own record. It holds only its
	 *     events, so keeping it alive is bounded by the accepted records that point to it
	 */
	LedgerSocket(Kind kind, SocketTuple tuple, @Nullable Endpoint listener, @Nullable LedgerSocket listenerRecord,
			Event opened) {
		this.kind = kind;
		this.tuple = tuple;
		this.listener = listener;
		this.listenerRecord = listenerRecord;
		this.opened = opened;
	}

	@Nullable LedgerSocket listenerRecord() {
		return this.listenerRecord;
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

	/**
	 * Whether the other end is this JVM's and has been closed: not merely collected, since a
	 * collected channel keeps its fd and sent no FIN.
	 */
	boolean peerClosed() {
		LedgerSocket other = this.peer;
		Event close = other == null ? null : other.closed;
		return close != null && !close.collectedUnclosed();
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
