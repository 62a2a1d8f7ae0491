/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.samples.LingeringFailures.assertLingering;

import java.io.IOException;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each way of leaving a loopback connection half-closed fails the test that did it, and the
 * message names both states and both ports.
 */
class LeakDetectionTests {

	@AfterEach
	void closeLeaks() throws IOException {
		Leaks.closeAll();
	}

	@Test
	void serverThatNeverClosesAnAcceptedSocket() {
		FixtureRun run = FixtureRun.run(ServerNeverClosesTestCases.class);

		assertLingering(run.failureOf("leaksAcceptedSocket"), "ServerNeverClosesTestCases.leaksAcceptedSocket()", 0,
				Leaks.takeOnly().expectedRows());
	}

	@Test
	void endsAreNamedWhileTheListenerIsOpen() {
		FixtureRun run = FixtureRun.run(StillListeningTestCases.class);

		assertLingering(run.failureOf("leaksAcceptedSocket"), "StillListeningTestCases.leaksAcceptedSocket()", 0,
				Leaks.takeOnly().expectedRows());
	}

	@Test
	void clientThatNeverCloses() {
		FixtureRun run = FixtureRun.run(ClientNeverClosesTestCases.class);

		assertLingering(run.failureOf("leaksClientSocket"), "ClientNeverClosesTestCases.leaksClientSocket()", 0,
				Leaks.takeOnly().expectedRows());
	}

	@Test
	void halfCloseWithoutClose() {
		FixtureRun run = FixtureRun.run(HalfClosedClientTestCases.class);

		assertLingering(run.failureOf("shutsDownOutputOnly"), "HalfClosedClientTestCases.shutsDownOutputOnly()", 0,
				Leaks.takeOnly().expectedRows());
	}

	@Test
	void leakInBeforeEach() {
		FixtureRun run = FixtureRun.run(LeakInBeforeEachTestCases.class);

		assertLingering(run.failureOf("doesNothing"), "LeakInBeforeEachTestCases.doesNothing()", 0,
				Leaks.takeOnly().expectedRows());
	}

	@Test
	void leakInAfterEach() {
		FixtureRun run = FixtureRun.run(LeakInAfterEachTestCases.class);

		assertLingering(run.failureOf("doesNothing"), "LeakInAfterEachTestCases.doesNothing()", 0,
				Leaks.takeOnly().expectedRows());
	}

	@Test
	void ipv4OnlySocketsListedInProcNetTcp() throws IOException {
		FixtureRun run = FixtureRun.run(Ipv4OnlyTestCases.class);
		LeakedConnection leak = Leaks.takeOnly();

		assertLingering(run.failureOf("leaksAcceptedChannel"), "Ipv4OnlyTestCases.leaksAcceptedChannel()", 0,
				leak.expectedRows());
		ProcNetTcp.assertListedIn("tcp", leak.server(), leak.client());
	}

	@Test
	void ipv6Loopback() {
		FixtureRun run = FixtureRun.run(Ipv6TestCases.class);
		LeakedConnection leak = Leaks.takeOnly();

		assertLingering(run.failureOf("leaksAcceptedSocket"), "Ipv6TestCases.leaksAcceptedSocket()", 0,
				leak.expectedRows());
	}

	static class ServerNeverClosesTestCases {

		@Test
		@NoLingeringSockets
		void leaksAcceptedSocket() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}
	}

	static class StillListeningTestCases {

		@Test
		@NoLingeringSockets
		void leaksAcceptedSocket() throws IOException {
			Leaks.leakWhileListening(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}
	}

	static class ClientNeverClosesTestCases {

		@Test
		@NoLingeringSockets
		void leaksClientSocket() throws IOException {
			Leaks.leak(LeakShape.CLIENT_NEVER_CLOSES, Loopback.IPV4);
		}
	}

	static class HalfClosedClientTestCases {

		@Test
		@NoLingeringSockets
		void shutsDownOutputOnly() throws IOException {
			Leaks.leak(LeakShape.HALF_CLOSED_CLIENT, Loopback.IPV4);
		}
	}

	@NoLingeringSockets
	static class LeakInBeforeEachTestCases {

		@BeforeEach
		void leak() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}

		@Test
		void doesNothing() {
		}
	}

	@NoLingeringSockets
	static class LeakInAfterEachTestCases {

		@AfterEach
		void leak() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}

		@Test
		void doesNothing() {
		}
	}

	static class Ipv4OnlyTestCases {

		@Test
		@NoLingeringSockets
		void leaksAcceptedChannel() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4_ONLY);
		}
	}

	static class Ipv6TestCases {

		@Test
		@NoLingeringSockets
		void leaksAcceptedSocket() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV6);
		}
	}
}
