/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Optional;

import dev.nolinger.TcpState;
import org.jspecify.annotations.Nullable;

/**
 * A connection a fixture leaked on purpose: how, where both ends are, whether its listener is
 * still open, which lets nolinger tell the client end from the server end untraced, and the
 * fixture's source lines that opened each end.
 *
 * @param clientOpenedAt the fixture's frame that opened the client end, captured on that line at
 *     run time; null when another thread opened it, such as a server's dispatcher
 * @param serverOpenedAt the same for the server end
 */
record LeakedConnection(LeakShape shape, Loopback loopback, InetSocketAddress client, InetSocketAddress server,
		boolean listening, @Nullable StackTraceElement clientOpenedAt, @Nullable StackTraceElement serverOpenedAt) {

	/** A connection whose ends were opened by the fixture's frame {@code openedAt}, or by threads of its own when null. */
	LeakedConnection(LeakShape shape, Loopback loopback, InetSocketAddress client, InetSocketAddress server,
			boolean listening, @Nullable StackTraceElement openedAt) {
		this(shape, loopback, client, server, listening, openedAt, openedAt);
	}

	/** The rows nolinger must print for this connection's two lingering ends. */
	ExpectedRow[] expectedRows() {
		String clientEnd = this.loopback.printed(this.client);
		String serverEnd = this.loopback.printed(this.server);
		return this.shape.rows(
				ExpectedRow.openFd(this.shape.clientState(), ExpectedRow.End.CLIENT, clientEnd, serverEnd)
					.withOtherEnd(this.shape.serverState())
					.withEndKnown(this.listening)
					.openedAt(this.clientOpenedAt),
				ExpectedRow.openFd(this.shape.serverState(), ExpectedRow.End.SERVER, serverEnd, clientEnd)
					.withOtherEnd(this.shape.clientState())
					.withEndKnown(this.listening)
					.openedAt(this.serverOpenedAt));
	}

	/** The one expected row of the end in that state. */
	ExpectedRow expectedRow(TcpState state) {
		return Arrays.stream(expectedRows()).filter(row -> row.state() == state).findFirst().orElseThrow();
	}

	/** Whether both ends are listed in their lingering states right now. */
	boolean isLingering() throws IOException {
		return ProcNetTcp.stateOf(this.client, this.server).equals(Optional.of(this.shape.clientState()))
				&& ProcNetTcp.stateOf(this.server, this.client).equals(Optional.of(this.shape.serverState()));
	}

	/** Waits until both ends are listed in their lingering states. */
	void awaitSettled() {
		ProcNetTcp.awaitState(this.client, this.server, this.shape.clientState());
		ProcNetTcp.awaitState(this.server, this.client, this.shape.serverState());
	}
}
