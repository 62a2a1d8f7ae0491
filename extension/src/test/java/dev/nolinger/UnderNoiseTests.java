/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.nolinger.noise.BackgroundJvm;
import dev.nolinger.noise.NoiseMain;
import dev.nolinger.noise.SiblingLeakyTestsMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Never cries wolf, never misses a leak: annotated tests run while a separate process keeps
 * hundreds of half-closed sockets in the table and rotates them 200 times a second.
 * Under that churn a read of /proc duplicates and misses lines; findings must still be exact.
 */
class UnderNoiseTests {

	static final int CLEAN_RUNS = 200;

	static final int CLEAN_RUNS_BESIDE_SIBLING = 100;

	static final int LEAKY_RUNS = 20;

	/** Half-closed connections the noise keeps: each is one CLOSE_WAIT and one FIN_WAIT2 socket. */
	private static final int NOISE_KEPT = 300;

	private static final Map<Integer, LoopbackConnections.Pair> LEAKS = new ConcurrentHashMap<>();

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
		LEAKS.clear();
	}

	@Test
	void noFalsePositiveAndNoMissedLeakWhileAnotherProcessChurns() throws Exception {
		try (BackgroundJvm noise = BackgroundJvm.start(NoiseMain.class, "60", "200", String.valueOf(NOISE_KEPT))) {
			noise.awaitLine("ready", Duration.ofSeconds(30));
			assertThat(lingeringInTable()).isGreaterThanOrEqualTo(NOISE_KEPT);

			assertCleanRunsPassAndLeakyRunsFail(CleanTestCases.class, CLEAN_RUNS);
		}
	}

	@Test
	void sameWhileASiblingJvmRunsLeakyTests() throws Exception {
		try (BackgroundJvm noise = BackgroundJvm.start(NoiseMain.class, "60", "200", String.valueOf(NOISE_KEPT));
				BackgroundJvm sibling = BackgroundJvm.start(SiblingLeakyTestsMain.class, "60")) {
			noise.awaitLine("ready", Duration.ofSeconds(30));
			sibling.awaitLine("ready", Duration.ofSeconds(30));

			assertCleanRunsPassAndLeakyRunsFail(CleanBesideSiblingTestCases.class, CLEAN_RUNS_BESIDE_SIBLING);

			List<String> siblingOutput = sibling.finish(Duration.ofSeconds(30));
			assertThat(siblingOutput).as("the sibling's own leaky tests kept failing meanwhile")
				.anySatisfy(line -> assertThat(line).matches("done (\\d+)/\\1"));
		}
	}

	private static void assertCleanRunsPassAndLeakyRunsFail(Class<?> cleanTestCases, int cleanRuns) {
		Events clean = run(cleanTestCases);
		clean.assertStatistics(stats -> stats.started(cleanRuns).succeeded(cleanRuns).failed(0));

		Events leaky = run(LeakyTestCases.class);
		leaky.assertStatistics(stats -> stats.started(LEAKY_RUNS).failed(LEAKY_RUNS));
		List<String> messages = leaky.failed().stream().map(UnderNoiseTests::message).toList();
		assertThat(LEAKS).hasSize(LEAKY_RUNS);
		for (LoopbackConnections.Pair pair : LEAKS.values()) {
			String closeWait = "CLOSE_WAIT  server end  127.0.0.1:%d -> 127.0.0.1:%d".formatted(pair.serverPort(),
					pair.clientPort());
			String finWait2 = "FIN_WAIT2   client end  127.0.0.1:%d -> 127.0.0.1:%d".formatted(pair.clientPort(),
					pair.serverPort());
			assertThat(messages).filteredOn(m -> m.contains(closeWait) && m.contains(finWait2))
				.singleElement()
				.asString()
				.startsWith("2 sockets lingering after LeakyTestCases.leaks()");
		}
	}

	private static Events run(Class<?> testClass) {
		return EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "300ms")
			.selectors(selectClass(testClass))
			.execute()
			.testEvents();
	}

	private static String message(Event event) {
		return event.getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class)
			.getThrowable()
			.map(Throwable::getMessage)
			.orElse("");
	}

	private static long lingeringInTable() throws SocketTableException {
		return new SocketTableProcSource(Path.of("/proc/net")).read()
			.sockets()
			.stream()
			.filter(s -> s.state() == TcpState.CLOSE_WAIT || s.state() == TcpState.FIN_WAIT2)
			.count();
	}

	@NoLingeringSockets
	static class CleanTestCases {

		@RepeatedTest(CLEAN_RUNS)
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}
	}

	@NoLingeringSockets
	static class CleanBesideSiblingTestCases {

		@RepeatedTest(CLEAN_RUNS_BESIDE_SIBLING)
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}
	}

	@NoLingeringSockets
	static class LeakyTestCases {

		@RepeatedTest(LEAKY_RUNS)
		void leaks(RepetitionInfo repetition) {
			LEAKS.put(repetition.getCurrentRepetition(), LoopbackConnections.serverNeverCloses());
		}
	}
}
