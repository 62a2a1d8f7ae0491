/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.suite;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

/** Warms the fork up; not counted. */

class A0WarmupTests {

	private static long start;

	@BeforeAll
	static void start() {
		start = System.nanoTime();
	}

	@RepeatedTest(Timing.TESTS)
	void trivial() {
	}

	@AfterAll
	static void stop() {
		Timing.record(A0WarmupTests.class, start);
	}
}
