/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.TcpState.CLOSE_WAIT;
import static dev.nolinger.TcpState.FIN_WAIT2;

import java.io.IOException;

import dev.nolinger.TcpState;

/** The ways a fixture leaks one loopback connection, and the rows nolinger must print for it. */
enum LeakShape {

	/**
	 * The client closes; the server reads end-of-stream and never closes the accepted socket. The
	 * server end sits in CLOSE_WAIT with its inode; the client end is a FIN_WAIT2 minisocket with
	 * inode 0, ours only as the mirror of that CLOSE_WAIT.
	 */
	SERVER_NEVER_CLOSES(FIN_WAIT2, CLOSE_WAIT) {
		@Override
		void leave(LoopbackConnection connection) throws IOException {
			connection.client().close();
			LoopbackConnection.awaitEndOfStream(connection.accepted());
		}

		@Override
		ExpectedRow[] rows(ExpectedRow client, ExpectedRow server) {
			return new ExpectedRow[] { client.asMirror(), server };
		}
	},

	/**
	 * The server closes the accepted socket; the client reads end-of-stream and never closes. The
	 * client end sits in CLOSE_WAIT; the server end is the FIN_WAIT2 minisocket.
	 */
	CLIENT_NEVER_CLOSES(CLOSE_WAIT, FIN_WAIT2) {
		@Override
		void leave(LoopbackConnection connection) throws IOException {
			connection.accepted().close();
			LoopbackConnection.awaitEndOfStream(connection.client());
		}

		@Override
		ExpectedRow[] rows(ExpectedRow client, ExpectedRow server) {
			return new ExpectedRow[] { client, server.asMirror() };
		}
	},

	/**
	 * The client calls {@code shutdownOutput()} and never closes; the server reads end-of-stream
	 * and never closes. Without close() the FIN_WAIT2 end keeps its inode.
	 */
	HALF_CLOSED_CLIENT(FIN_WAIT2, CLOSE_WAIT) {
		@Override
		void leave(LoopbackConnection connection) throws IOException {
			connection.client().shutdownOutput();
			LoopbackConnection.awaitEndOfStream(connection.accepted());
		}

		@Override
		ExpectedRow[] rows(ExpectedRow client, ExpectedRow server) {
			return new ExpectedRow[] { client, server };
		}
	};

	private final TcpState clientState;
	private final TcpState serverState;

	LeakShape(TcpState clientState, TcpState serverState) {
		this.clientState = clientState;
		this.serverState = serverState;
	}

	/** The state the client end lingers in. */
	TcpState clientState() {
		return this.clientState;
	}

	/** The state the server's accepted end lingers in. */
	TcpState serverState() {
		return this.serverState;
	}

	/** Leaves the connection half-closed this way. */
	abstract void leave(LoopbackConnection connection) throws IOException;

	/** The rows for both ends, given each attributed by an open fd: the shape turns the closed end's into a mirror. */
	abstract ExpectedRow[] rows(ExpectedRow client, ExpectedRow server);
}
