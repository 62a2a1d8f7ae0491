/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * Attribution rules 2 and 3 of {@link OwnershipRule}, for a socket with inode 0, written once for
 * both users: the check asks whether this JVM holds the evidence, the diagnostic command asks
 * whether any process does. Each caller says what "held" means and which listeners it knows.
 */
final class OwnershipOrphans {

	private OwnershipOrphans() {
	}

	/**
	 * Rule 2: the other end of a socket with inode 0, when it is in the table and {@code held}
	 * accepts it; else null.
	 */
	static @Nullable TcpSocket heldMirror(TcpSocket socket, SocketTable table, Predicate<TcpSocket> held) {
		if (socket.inode() != 0) {
			return null;
		}
		TcpSocket mirror = table.find(socket.tuple().mirror());
		return mirror != null && held.test(mirror) ? mirror : null;
	}

	/**
	 * Rule 3: the listener among {@code listeners} bound to the local address and port of a socket
	 * with inode 0 that is not a listener itself, when {@code held} accepts it; else null. The
	 * listener is chosen before {@code held} is asked, as {@link #listenerAt} chooses it, so a
	 * wildcard listener never stands in for an exact one that is not held.
	 */
	static @Nullable TcpSocket heldListener(TcpSocket socket, Iterable<TcpSocket> listeners, Predicate<TcpSocket> held) {
		if (socket.inode() != 0 || socket.state() == TcpState.LISTEN) {
			return null;
		}
		TcpSocket listener = listenerAt(socket.local(), listeners, true);
		return listener != null && held.test(listener) ? listener : null;
	}

	/**
	 * The listening socket among {@code candidates} bound to {@code endpoint}: one on that exact
	 * address before one on the wildcard address ({@code 0.0.0.0} or {@code ::}) with that port,
	 * as the kernel hands a connection to the most specific listener; each in the order given.
	 * Sockets not in LISTEN are passed over, and so, when {@code needsHolder}, are those with
	 * inode 0, which no process holds.
	 */
	static @Nullable TcpSocket listenerAt(Endpoint endpoint, Iterable<TcpSocket> candidates, boolean needsHolder) {
		TcpSocket wildcard = null;
		for (TcpSocket candidate : candidates) {
			Endpoint bound = candidate.local();
			if (candidate.state() != TcpState.LISTEN || (needsHolder && candidate.inode() == 0)
					|| bound.port() != endpoint.port()) {
				continue;
			}
			if (bound.equals(endpoint)) {
				return candidate;
			}
			if (wildcard == null && bound.isWildcard()) {
				wildcard = candidate;
			}
		}
		return wildcard;
	}
}
