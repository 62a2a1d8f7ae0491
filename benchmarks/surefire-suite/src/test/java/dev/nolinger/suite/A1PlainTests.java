/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.suite;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

/** The suite without the check. */

class A1PlainTests {

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
		Timing.record(A1PlainTests.class, start);
	}
}
