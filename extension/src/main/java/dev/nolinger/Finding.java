/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import org.jspecify.annotations.Nullable;

/**
 * A socket of this JVM left in a checked state by the test.
 *
 * @param socket the lingering socket
 * @param ownership why it is this JVM's
 * @param role which end of the connection the socket is
 * @param otherEnd the other end of the connection when it is this JVM's too; else null
 * @param traced what the socket ledger recorded of it, when the agent traced it; else null
 */
record Finding(TcpSocket socket, Ownership ownership, Role role, @Nullable TcpSocket otherEnd,
		@Nullable LedgerSocket traced) {

	Finding(TcpSocket socket, Ownership ownership, Role role, @Nullable TcpSocket otherEnd) {
		this(socket, ownership, role, otherEnd, null);
	}

	/**
	 * The port of the connection's server end: the local port of a server end, the remote port of
	 * a client end; -1 when the end is unknown.
	 */
	int serverPort() {
		return switch (this.role) {
			case SERVER -> this.socket.local().port();
			case CLIENT -> this.socket.remote().port();
			case UNKNOWN -> -1;
		};
	}

	/**
	 * Which end of a connection a socket is: recorded by the ledger when traced, else judged by
	 * the listeners in the table.
	 */
	enum Role {

		/** Its local port is a listener's: the end a server accepted. */
		SERVER("server end"),

		/** Its remote port is a listener's: the end that connected. */
		CLIENT("client end"),

		/** No listener in sight on either port. */
		UNKNOWN("unknown end");

		private final String label;

		Role(String label) {
			this.label = label;
		}

		String label() {
			return this.label;
		}
	}
}
