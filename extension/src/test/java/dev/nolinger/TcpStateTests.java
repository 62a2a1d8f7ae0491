/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TcpStateTests {

	@Test
	void everyStateIsFoundByItsKernelNumber() {
		for (TcpState state : TcpState.values()) {
			assertThat(TcpState.fromCode(state.code())).contains(state);
		}
	}

	@Test
	void numbersTheKernelDoesNotUseForAStateAreUnknown() {
		// 0 is no state; 0x0C is TCP_NEW_SYN_RECV, which never shows in the table.
		assertThat(TcpState.fromCode(0)).isEmpty();
		assertThat(TcpState.fromCode(0x0C)).isEmpty();
		assertThat(TcpState.fromCode(-1)).isEmpty();
		assertThat(TcpState.fromCode(0xFF)).isEmpty();
	}
}
