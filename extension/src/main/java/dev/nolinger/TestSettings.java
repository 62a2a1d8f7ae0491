/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/** The check for one test: the nearest annotation's attributes over the run-wide configuration. */
record TestSettings(Set<TcpState> states, int tolerance, Duration grace) {

	static TestSettings resolve(@Nullable NoLingeringSockets annotation, NoLingerConfiguration configuration) {
		if (annotation == null) {
			return new TestSettings(configuration.states(), configuration.tolerance(), configuration.grace());
		}
		Set<TcpState> annotated = annotatedStates(annotation.states());
		Set<TcpState> states = annotated.equals(NoLingerConfiguration.DEFAULT_STATES) ? configuration.states()
				: annotated;
		if (annotation.tolerance() < 0) {
			throw NoLingerConfiguration.invalid("@NoLingeringSockets(tolerance)", String.valueOf(annotation.tolerance()),
					"a whole number of sockets, 0 or more");
		}
		int tolerance = annotation.tolerance() == 0 ? configuration.tolerance() : annotation.tolerance();
		if (annotation.graceMillis() < -1) {
			throw NoLingerConfiguration.invalid("@NoLingeringSockets(graceMillis)",
					String.valueOf(annotation.graceMillis()), "-1 for the configured default, or 0 or more milliseconds");
		}
		Duration grace = annotation.graceMillis() == -1 ? configuration.grace()
				: Duration.ofMillis(annotation.graceMillis());
		return new TestSettings(states, tolerance, grace);
	}

	private static Set<TcpState> annotatedStates(TcpState[] states) {
		if (states.length == 0) {
			throw NoLingerConfiguration.invalid("@NoLingeringSockets(states)", "{}", "at least one TCP state");
		}
		return Set.copyOf(EnumSet.copyOf(Arrays.asList(states)));
	}
}
