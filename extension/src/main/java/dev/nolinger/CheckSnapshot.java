/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What the table held before the test.
 *
 * @param before each connection end already in a checked state, so it never counts against the test
 * @param listeners this JVM's listeners at that time (attribution rule 3)
 * @param quiet the proof that no socket of this JVM could move into a checked state until this
 *        JVM opens or closes one, or null where the table showed one that could
 * @param testId the unique ID of the test it was taken for, which attribution rule 5 matches the
 *        ledger's closes against; null when none is known
 */
record CheckSnapshot(Set<TcpSocket.Key> before, List<TcpSocket> listeners, @Nullable CheckQuiet quiet,
		@Nullable String testId) {

	CheckSnapshot(Set<TcpSocket.Key> before, List<TcpSocket> listeners) {
		this(before, listeners, null, null);
	}

	/** The same snapshot, reused for another test while its proof holds; itself for the same test. */
	CheckSnapshot forTest(@Nullable String test) {
		return Objects.equals(test, this.testId) ? this : new CheckSnapshot(this.before, this.listeners, this.quiet, test);
	}
}
