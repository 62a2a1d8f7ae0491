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
record CheckSettings(Set<TcpState> states, int tolerance, Duration grace) {

	static CheckSettings resolve(@Nullable NoLingeringSockets annotation, CheckConfiguration configuration) {
		if (annotation == null) {
			return new CheckSettings(configuration.states(), configuration.tolerance(), configuration.grace());
		}
		Set<TcpState> annotated = annotatedStates(annotation.states());
		Set<TcpState> states = annotated.equals(CheckConfiguration.DEFAULT_STATES) ? configuration.states()
				: annotated;
		if (annotation.tolerance() < 0) {
			throw CheckConfiguration.invalid("@NoLingeringSockets(tolerance)", String.valueOf(annotation.tolerance()),
					"a whole number of sockets, 0 or more");
		}
		int tolerance = annotation.tolerance() == 0 ? configuration.tolerance() : annotation.tolerance();
		if (annotation.graceMillis() < -1) {
			throw CheckConfiguration.invalid("@NoLingeringSockets(graceMillis)",
					String.valueOf(annotation.graceMillis()), "-1 for the configured default, or 0 or more milliseconds");
		}
		Duration grace = annotation.graceMillis() == -1 ? configuration.grace()
				: Duration.ofMillis(annotation.graceMillis());
		return new CheckSettings(states, tolerance, grace);
	}

	private static Set<TcpState> annotatedStates(TcpState[] states) {
		if (states.length == 0) {
			throw CheckConfiguration.invalid("@NoLingeringSockets(states)", "{}", "at least one TCP state");
		}
		return Set.copyOf(EnumSet.copyOf(Arrays.asList(states)));
	}
}
