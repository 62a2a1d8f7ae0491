/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** With parallel execution on, annotated tests run alone and never blame one another. */
class ParallelExecutionTests {

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void leakyAndCleanTestsRunningConcurrentlyAreJudgedOnTheirOwnSockets() {
		Events events = EngineTestKit.engine("junit-jupiter")
			.configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
			.configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
			.configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
			.configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
			.configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
			.configurationParameter("nolinger.grace", "100ms")
			.selectors(selectClass(CleanTestCases.class), selectClass(LeakyTestCases.class),
					selectClass(UncheckedLeakyTestCases.class))
			.execute()
			.testEvents();

		events.assertStatistics(stats -> stats.started(30).succeeded(20).failed(10));
		events.assertThatEvents()
			.haveExactly(10, event(test("clean"), finishedSuccessfully()))
			.haveExactly(10, event(test("uncheckedLeak"), finishedSuccessfully()))
			.haveExactly(10, event(test("leaks"), finishedWithFailure(instanceOf(LingeringSocketsError.class))));
	}

	/** Keeps its sockets open a while, so concurrent tests overlap with them. */
	private static void dwell() {
		LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
	}

	@Execution(ExecutionMode.CONCURRENT)
	@NoLingeringSockets
	static class CleanTestCases {

		@RepeatedTest(10)
		void clean() {
			LoopbackConnections.Pair pair = LoopbackConnections.connect();
			dwell();
			LoopbackConnections.close(pair.client());
			LoopbackConnections.close(pair.accepted());
			LoopbackConnections.close(pair.server());
		}
	}

	@Execution(ExecutionMode.CONCURRENT)
	@NoLingeringSockets
	static class LeakyTestCases {

		@RepeatedTest(10)
		void leaks() {
			LoopbackConnections.serverNeverCloses();
			dwell();
		}
	}

	@Execution(ExecutionMode.CONCURRENT)
	static class UncheckedLeakyTestCases {

		@RepeatedTest(10)
		void uncheckedLeak() {
			LoopbackConnections.serverNeverCloses();
			dwell();
		}
	}
}
