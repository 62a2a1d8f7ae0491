/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.samples.AcrossForksLeakyTests.CLEAN_ARRIVED;
import static dev.nolinger.samples.AcrossForksLeakyTests.CLEAN_DONE;
import static dev.nolinger.samples.AcrossForksLeakyTests.LEAKY_ARRIVED;

import java.io.IOException;
import java.time.Duration;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.Test;

/**
 * The clean half of a pair that Surefire runs in two forks at once; see
 * {@link AcrossForksLeakyTests}. While the other fork leaks sockets and keeps them lingering,
 * every clean annotated test here must pass: a sibling fork's sockets are never this JVM's.
 */
class AcrossForksCleanTests {

	private static final int RUNS = 30;
	private static final Duration MAX_DURATION = Duration.ofSeconds(5);

	@Test
	void cleanTestsPassWhileTheOtherForkLeaks() throws IOException {
		ForkRendezvous rendezvous = ForkRendezvous.fromSystemProperty();
		rendezvous.signal(CLEAN_ARRIVED);
		rendezvous.awaitFromOtherFork(LEAKY_ARRIVED);
		try {
			long deadline = System.nanoTime() + MAX_DURATION.toNanos();
			for (int run = 0; run < RUNS && System.nanoTime() - deadline < 0; run++) {
				FixtureRun.run(CleanTestCases.class).assertPassed("javaNetOverIpv4", "selectorsOverAfInet",
						"javaNetOverIpv6");
			}
		}
		finally {
			rendezvous.signal(CLEAN_DONE);
		}
	}

	@NoLingeringSockets
	static class CleanTestCases {

		@Test
		void javaNetOverIpv4() throws IOException {
			Traffic.echoOverFreshConnections(Loopback.IPV4, 5);
		}

		@Test
		void selectorsOverAfInet() throws IOException {
			try (SelectorEchoServer server = SelectorEchoServer.start(Loopback.IPV4_ONLY)) {
				for (int i = 0; i < 5; i++) {
					try (SelectorClient client = SelectorClient.connect(Loopback.IPV4_ONLY, server.address())) {
						client.echo("request " + i);
					}
				}
			}
		}

		@Test
		void javaNetOverIpv6() throws IOException {
			Traffic.echoOverFreshConnections(Loopback.IPV6, 5);
		}
	}
}
