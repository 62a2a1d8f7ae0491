/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What the table held before the test.
 *
 * @param before each connection end already in a checked state, so it never counts against the test
 * @param listeners this JVM's listeners at that time (attribution rule 3)
 * @param testId the unique ID of the test, for attribution rule 5; null when none is known
 */
record CheckSnapshot(Set<TcpSocket.Key> before, List<TcpSocket> listeners, @Nullable String testId) {

	CheckSnapshot(Set<TcpSocket.Key> before, List<TcpSocket> listeners) {
		this(before, listeners, null);
	}
}
