/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

/** The 4-tuple that names one end of a TCP connection, seen from that end. */
record SocketTuple(Endpoint local, Endpoint remote) {

	/** The same connection seen from the other end. */
	SocketTuple mirror() {
		return new SocketTuple(this.remote, this.local);
	}

	@Override
	public String toString() {
		return this.local + " -> " + this.remote;
	}
}
