/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.samples.LingeringFailures.assertLingering;

import java.io.IOException;
import java.util.Map;

import dev.nolinger.NoLingeringSockets;
import dev.nolinger.NoLingeringSocketsExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Leaks still closing when a test starts or ends. The end that closes waits in FIN_WAIT1 for the
 * peer's ACK, which Linux may delay by up to 200 ms, and only then lingers in FIN_WAIT2.
 * AF_INET sockets hit the window most often, because nolinger reads /proc/net/tcp first; about
 * half the attempts do here, so each case repeats its fixture.
 */
class ClosingInProgressTests {

	private static final int ATTEMPTS = 5;

	/** Longer than the longest delayed ACK, so that a closing end settles within it. */
	private static final Map<String, String> GRACE_PAST_DELAYED_ACK = Map
		.of(NoLingeringSocketsExtension.GRACE_KEY, "500ms");

	@AfterEach
	void closeLeaks() throws IOException {
		Leaks.closeAll();
	}

	@Test
	void leakStillClosingWhenTheNextTestStartsIsNotBlamedOnIt() throws IOException {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			FixtureRun.run(UnannotatedLeakTestCases.class).assertPassed("leaksUnchecked", "echoesAfterTheLeak");
			Leaks.closeAll();
		}
	}

	@Test
	void leakStillClosingAfterBeforeAllIsNotBlamedOnTheTest() throws IOException {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			// The test is not blamed; the class is (class checks have their own test), so they are off here.
			FixtureRun.run(LeakInBeforeAllTestCases.class, Map.of(NoLingeringSocketsExtension.CLASSES_KEY, "false"))
				.assertPassed("echoes");
			Leaks.closeAll();
		}
	}

	@Test
	void leakStillClosingWhenItsTestEndsCountsBothEnds() throws IOException {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			FixtureRun run = FixtureRun.run(ToleranceOneTestCases.class, GRACE_PAST_DELAYED_ACK);
			assertLingering(run.failureOf("leaksOneConnection"), "ToleranceOneTestCases.leaksOneConnection()", 1,
					Leaks.takeOnly().expectedRows());
			Leaks.closeAll();
		}
	}

	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class UnannotatedLeakTestCases {

		@Test
		@Order(1)
		void leaksUnchecked() throws IOException {
			Leaks.leakStillClosing(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4_ONLY);
		}

		@Test
		@Order(2)
		@NoLingeringSockets
		void echoesAfterTheLeak() throws IOException {
			Traffic.echoOverFreshConnections(Loopback.IPV4_ONLY, 3);
		}
	}

	@NoLingeringSockets
	static class LeakInBeforeAllTestCases {

		@BeforeAll
		static void leak() throws IOException {
			Leaks.leakStillClosing(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4_ONLY);
		}

		@Test
		void echoes() throws IOException {
			Traffic.echoOverFreshConnections(Loopback.IPV4_ONLY, 3);
		}
	}

	static class ToleranceOneTestCases {

		@Test
		@NoLingeringSockets(tolerance = 1)
		void leaksOneConnection() throws IOException {
			Leaks.leakStillClosing(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4_ONLY);
		}
	}
}
