/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * Global registration under parallel execution: no test is blamed for a concurrent test's
 * sockets. A leaky test is either caught (it ran with no other checked test alongside) or its
 * findings are reported as not judged. Writes the figures to {@code target/nolinger-parallel.txt}.
 */
class GlobalParallelTests {

	private static final int RUNS = 20;

	/** Sockets the leaky fixtures left, closed after each run of the fixture class. */
	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void noCleanTestIsBlamedAndEveryLeakIsCaughtOrReportedNotJudged() throws IOException {
		int caught = 0;
		int notJudged = 0;
		int cleanNotJudged = 0;
		int classFailed = 0;
		for (int run = 0; run < RUNS; run++) {
			Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
			java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
			java.io.PrintStream original = System.out;
			System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
			boolean classFailedThisRun = false;
			int notJudgedThisRun = 0;
			List<Event> events = EngineTestKit.engine("junit-jupiter")
				.configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
				.configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
				.configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
				.configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
				.configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
				.configurationParameter("nolinger.grace", "100ms")
				.selectors(selectClass(MixedTestCases.class))
				.execute()
				.allEvents()
				.list();
			System.setOut(original);
			assertThat(printed.toString(StandardCharsets.UTF_8).split("nolinger: parallel execution is on\\.", -1))
				.as("run %d: said once what is judged and what is not", run).hasSize(2);
			LoopbackConnections.closeAll();
			for (Event event : events) {
				if (!event.getTestDescriptor().isTest()) {
					if (event.getType() == EventType.FINISHED && event.getTestDescriptor().getUniqueId().toString().endsWith("$MixedTestCases]")
							&& event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable()
								.filter(LingeringSocketsError.class::isInstance).isPresent()) {
						classFailedThisRun = true;
					}
					continue;
				}
				String id = event.getTestDescriptor().getUniqueId().toString();
				Outcome outcome = outcomes.computeIfAbsent(id, k -> new Outcome());
				if (event.getType() == EventType.REPORTING_ENTRY_PUBLISHED) {
					ReportEntry entry = event.getPayload(ReportEntry.class).orElseThrow();
					outcome.notJudged |= entry.getKeyValuePairs().containsKey("nolinger.notJudged");
				}
				else if (event.getType() == EventType.FINISHED) {
					TestExecutionResult result = event.getPayload(TestExecutionResult.class).orElseThrow();
					outcome.failure = result.getThrowable().orElse(null);
				}
			}
			assertThat(outcomes).hasSize(60);
			for (Map.Entry<String, Outcome> entry : outcomes.entrySet()) {
				boolean leaky = entry.getKey().contains(":leaks()]");
				Outcome outcome = entry.getValue();
				if (leaky) {
					assertThat(outcome.failure == null ? outcome.notJudged : outcome.failure instanceof LingeringSocketsError)
						.as("run %d: %s is caught or reported not judged", run, entry.getKey()).isTrue();
					if (outcome.failure != null) {
						caught++;
					}
					else {
						notJudged++;
						notJudgedThisRun++;
					}
				}
				else {
					assertThat(outcome.failure).as("run %d: clean %s", run, entry.getKey()).isNull();
					cleanNotJudged += outcome.notJudged ? 1 : 0;
				}
			}
			// Sockets no test could be judged for are the class's: its window holds only its own tests.
			assertThat(classFailedThisRun).as("run %d: the class fails when %d leaks were not judged", run, notJudgedThisRun)
				.isEqualTo(notJudgedThisRun > 0);
			classFailed += classFailedThisRun ? 1 : 0;
		}
		assertThat(caught + notJudged).isEqualTo(RUNS * 10);
		String figures = ("nolinger global parallel: runs=%d clean=%d clean-failed=0 clean-not-judged=%d leaky=%d caught=%d"
				+ " not-judged=%d class-failed=%d%n").formatted(RUNS, RUNS * 50, cleanNotJudged, RUNS * 10, caught, notJudged,
						classFailed);
		System.out.print(figures);
		Files.writeString(Path.of("target", "nolinger-parallel.txt"), figures, StandardCharsets.UTF_8);
	}

	private static final class Outcome {

		Throwable failure;

		boolean notJudged;
	}

	/** Unannotated: checked only through autodetection, like a suite under global registration. */
	static class MixedTestCases {

		@RepeatedTest(50)
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}

		@RepeatedTest(10)
		void leaks() {
			LoopbackConnections.serverNeverCloses();
		}
	}
}
