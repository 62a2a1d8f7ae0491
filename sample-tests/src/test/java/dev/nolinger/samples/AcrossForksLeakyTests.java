/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.samples.LingeringFailures.assertLingering;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The leaky half of a pair that Surefire runs in two forks at once; see
 * {@link AcrossForksCleanTests} for the other half. Both forks share one uid and one network
 * namespace, so each sees the other's sockets in /proc/net. This fork leaks connections and keeps
 * them lingering until the clean fork is done; each leaky test must be blamed for exactly its own
 * two sockets.
 */
class AcrossForksLeakyTests {

	static final String LEAKY_ARRIVED = "leaky-fork-arrived";
	static final String CLEAN_ARRIVED = "clean-fork-arrived";
	static final String CLEAN_DONE = "clean-fork-done";

	private static final int MAX_RUNS = 60;
	private static final Duration MAX_DURATION = Duration.ofSeconds(20);

	@AfterEach
	void closeLeaks() throws IOException {
		Leaks.closeAll();
	}

	@Test
	void leaksAreBlamedOnlyOnTheirOwnTestsWhileTheOtherForkRuns() throws IOException {
		ForkRendezvous rendezvous = ForkRendezvous.fromSystemProperty();
		runLeakyFixture();
		rendezvous.signal(LEAKY_ARRIVED);
		ForkRendezvous.Participant cleanFork = rendezvous.awaitFromOtherFork(CLEAN_ARRIVED);

		long deadline = System.nanoTime() + MAX_DURATION.toNanos();
		for (int run = 1; run < MAX_RUNS && System.nanoTime() - deadline < 0; run++) {
			if (rendezvous.hasArrived(CLEAN_DONE, cleanFork)) {
				break;
			}
			runLeakyFixture();
		}
		// The leaks stay open until the clean fork has run all its checks.
		rendezvous.awaitFrom(CLEAN_DONE, cleanFork);
	}

	private static void runLeakyFixture() {
		FixtureRun run = FixtureRun.run(LeakyTestCases.class);
		Map<LeakShape, LeakedConnection> leaks = Leaks.takeByShape();

		assertLingering(run.failureOf("serverNeverCloses"), "LeakyTestCases.serverNeverCloses()", 0,
				leaks.get(LeakShape.SERVER_NEVER_CLOSES).expectedRows());
		assertLingering(run.failureOf("clientNeverCloses"), "LeakyTestCases.clientNeverCloses()", 0,
				leaks.get(LeakShape.CLIENT_NEVER_CLOSES).expectedRows());
	}

	@NoLingeringSockets
	static class LeakyTestCases {

		@Test
		void serverNeverCloses() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}

		@Test
		void clientNeverCloses() throws IOException {
			Leaks.leak(LeakShape.CLIENT_NEVER_CLOSES, Loopback.IPV4_ONLY);
		}
	}
}
