/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.samples.LingeringFailures.assertLingering;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;

import dev.nolinger.NoLingeringSockets;
import dev.nolinger.NoLingeringSocketsExtension;
import dev.nolinger.TcpState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How many lingering sockets a test may leave, and which states count. One leaked loopback
 * connection leaves exactly two: CLOSE_WAIT at the end that never closed, FIN_WAIT2 at the other.
 */
class ToleranceAndStatesTests {

	@AfterEach
	void closeLeaks() throws IOException {
		Leaks.closeAll();
	}

	@Test
	void testMayLeaveAsManySocketsAsItsTolerance() throws IOException {
		FixtureRun run = FixtureRun.run(ToleranceTwoTestCases.class);

		run.assertPassed("leaksOneConnection");
		assertThat(Leaks.takeOnly().isLingering()).as("the leak lingers on").isTrue();
	}

	@Test
	void oneSocketOverTheToleranceFails() {
		FixtureRun run = FixtureRun.run(ToleranceOneTestCases.class);

		assertLingering(run.failureOf("leaksOneConnection"), "ToleranceOneTestCases.leaksOneConnection()", 1,
				Leaks.takeOnly().expectedRows());
	}

	@Test
	void configurationParameterSetsTheToleranceTheAnnotationLeavesAtItsDefault() throws IOException {
		FixtureRun run = FixtureRun.run(DefaultToleranceTestCases.class,
				Map.of(NoLingeringSocketsExtension.TOLERANCE_KEY, "2"));

		run.assertPassed("leaksOneConnection");
		assertThat(Leaks.takeOnly().isLingering()).as("the leak lingers on").isTrue();
	}

	@Test
	void listenerLeftOpenFailsWhenListenIsChecked() {
		FixtureRun run = FixtureRun.run(ListenCheckedTestCases.class);

		assertLingering(run.failureOf("leavesListenerOpen"), "ListenCheckedTestCases.leavesListenerOpen()", 0,
				ExpectedRow.openFd(TcpState.LISTEN, ExpectedRow.End.SERVER, Loopback.IPV4.printed(Leaks.takeOnlyListener()),
						null).openedAt(Leaks.listenerOpenedAt()));
	}

	@Test
	void listenerLeftOpenPassesUnderTheDefaultStates() throws IOException {
		FixtureRun run = FixtureRun.run(DefaultStatesTestCases.class);

		run.assertPassed("leavesListenerOpen");
		assertThat(ProcNetTcp.isListening(Leaks.takeOnlyListener())).as("the listener is still open").isTrue();
	}

	@Test
	void onlyTheCheckedStatesAreReported() {
		FixtureRun run = FixtureRun.run(CloseWaitOnlyTestCases.class);

		assertLingering(run.failureOf("leaksOneConnection"), "CloseWaitOnlyTestCases.leaksOneConnection()", 0,
				Leaks.takeOnly().expectedRow(TcpState.CLOSE_WAIT));
	}

	static class ToleranceTwoTestCases {

		@Test
		@NoLingeringSockets(tolerance = 2)
		void leaksOneConnection() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}
	}

	static class ToleranceOneTestCases {

		/** Both sockets linger when the test ends; for one still closing then, see ClosingInProgressTests. */
		@Test
		@NoLingeringSockets(tolerance = 1)
		void leaksOneConnection() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}
	}

	static class DefaultToleranceTestCases {

		@Test
		@NoLingeringSockets
		void leaksOneConnection() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}
	}

	static class ListenCheckedTestCases {

		@Test
		@NoLingeringSockets(states = TcpState.LISTEN)
		void leavesListenerOpen() throws IOException {
			Leaks.listenerLeftOpen(Loopback.IPV4);
		}
	}

	static class DefaultStatesTestCases {

		@Test
		@NoLingeringSockets
		void leavesListenerOpen() throws IOException {
			Leaks.listenerLeftOpen(Loopback.IPV4);
		}
	}

	static class CloseWaitOnlyTestCases {

		@Test
		@NoLingeringSockets(states = TcpState.CLOSE_WAIT)
		void leaksOneConnection() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}
	}
}
