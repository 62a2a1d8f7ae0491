/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states a socket reaches on its own, with no further action of its owner: a FIN_WAIT1
 * socket becomes FIN_WAIT2 once the peer's ACK arrives, which Linux may delay by tens of
 * milliseconds. A socket that was closing before a test and only finishes during it is not the
 * test's doing; one the test closed is not judged until it has settled.
 */
final class CheckSettling {

	private CheckSettling() {
	}

	static Set<TcpState> settlesInto(TcpState state) {
		return switch (state) {
			case SYN_SENT, SYN_RECV -> EnumSet.of(TcpState.ESTABLISHED);
			case FIN_WAIT1 -> EnumSet.of(TcpState.FIN_WAIT2, TcpState.CLOSING, TcpState.TIME_WAIT);
			case FIN_WAIT2, CLOSING -> EnumSet.of(TcpState.TIME_WAIT);
			case LAST_ACK -> EnumSet.of(TcpState.CLOSE);
			default -> EnumSet.noneOf(TcpState.class);
		};
	}
}
