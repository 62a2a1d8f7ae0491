/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class CommandMessagesTests {

	@Test
	void hintsAreTheTestFailuresHintsSaidOfTheOwningProcess() {
		assertThat(CommandMessages.hint(TcpState.CLOSE_WAIT))
			.isEqualTo("the peer closed, and the owning process never called close() on its end.");
		assertThat(CommandMessages.hint(TcpState.FIN_WAIT2))
			.isEqualTo("the owning process closed (or called shutdownOutput()), and the peer never closed its end.");
		assertThat(CommandMessages.hint(TcpState.LAST_ACK))
			.isEqualTo("the peer closed, the owning process closed after it, and the final ACK has not arrived.");
		for (TcpState state : TcpState.values()) {
			assertThat(CommandMessages.hint(state)).as(state.name()).isNotBlank().doesNotContain("JVM");
		}
	}

	@Test
	void scopeNamesTheStatesAndFilters() {
		assertThat(CommandMessages.scope(options(EnumSet.of(TcpState.CLOSE_WAIT), OptionalInt.empty(), OptionalLong.empty())))
			.isEqualTo("CLOSE_WAIT");
		assertThat(CommandMessages.scope(options(EnumSet.of(TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2), OptionalInt.of(8080),
				OptionalLong.empty())))
			.isEqualTo("FIN_WAIT2 or CLOSE_WAIT on port 8080");
		assertThat(CommandMessages.scope(options(CommandOptions.DEFAULT_STATES, OptionalInt.of(8080), OptionalLong.of(42))))
			.isEqualTo("FIN_WAIT2, CLOSE_WAIT or LAST_ACK on port 8080 for pid 42");
	}

	@Test
	void unreadableProcessesCountsInWords() {
		assertThat(CommandMessages.unreadableProcesses(1))
			.isEqualTo("The open files of 1 process could not be read (permission denied); run as root to see every owner.");
		assertThat(CommandMessages.unreadableProcesses(12))
			.isEqualTo("The open files of 12 processes could not be read (permission denied); run as root to see every owner.");
	}

	private static CommandOptions options(java.util.Set<TcpState> states, OptionalInt port, OptionalLong pid) {
		return new CommandOptions(states, port, pid, false, false);
	}
}
