/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.suite;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

import dev.nolinger.NoLingeringSockets;

/** The same suite, checked, after the unchecked one. */
@NoLingeringSockets
class A4AnnotatedTests {

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
		Timing.record(A4AnnotatedTests.class, start);
	}
}
