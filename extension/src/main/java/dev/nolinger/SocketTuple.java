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
	public boolean equals(Object other) {
		return other instanceof SocketTuple that && this.local.equals(that.local) && this.remote.equals(that.remote);
	}

	@Override
	public int hashCode() {
		return this.local.hashCode() * 31 + this.remote.hashCode();
	}

	@Override
	public String toString() {
		return this.local + " -> " + this.remote;
	}
}
