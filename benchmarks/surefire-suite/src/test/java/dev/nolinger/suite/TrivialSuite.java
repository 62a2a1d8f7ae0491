/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.suite;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestInstance;

/** {@value Timing#TESTS} trivial tests, timed from {@code @BeforeAll} to {@code @AfterAll}; each subclass is one class of the suite. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TrivialSuite {

	private long start;

	@BeforeAll
	void start() {
		this.start = System.nanoTime();
	}

	@RepeatedTest(Timing.TESTS)
	void trivial() {
	}

	@AfterAll
	void stop() {
		Timing.record(getClass(), this.start);
	}
}
