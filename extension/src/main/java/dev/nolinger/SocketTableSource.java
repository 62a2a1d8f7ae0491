/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Where observations of the TCP socket table come from. */
interface SocketTableSource {

	/** Every state; what a caller asks for when it wants the whole table. */
	Set<TcpState> ALL_STATES = Collections.unmodifiableSet(EnumSet.allOf(TcpState.class));

	/** Whether this platform has the table at all; false on macOS and Windows. */
	boolean isAvailable();

	/** What {@link #isAvailable()} looked for, for messages. */
	String describe();

	/**
	 * The sockets in one of {@code states}; sockets in other states are left out, and every source
	 * leaves out the same ones, so two sources give the same table for the same request.
	 */
	SocketTable read(Set<TcpState> states) throws SocketTableException;

	/**
	 * Whether asking for fewer states makes a read cheaper. The kernel filters a netlink dump by
	 * state, but {@code /proc} costs the same whatever is kept of it.
	 */
	default boolean filtersByStateCheaply() {
		return false;
	}

	default SocketTable read() throws SocketTableException {
		return read(ALL_STATES);
	}

	/** The kernel's {@code idiag_states} bitmask for {@code states}: bit {@code code} for each. */
	static int stateMask(Set<TcpState> states) {
		int mask = 0;
		for (TcpState state : states) {
			mask |= 1 << state.code();
		}
		return mask;
	}
}
