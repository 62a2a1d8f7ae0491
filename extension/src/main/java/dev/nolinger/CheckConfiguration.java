/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static dev.nolinger.NoLingeringSocketsExtension.BASELINE_KEY;
import static dev.nolinger.NoLingeringSocketsExtension.BASELINE_WRITE_KEY;
import static dev.nolinger.NoLingeringSocketsExtension.ENABLED_KEY;
import static dev.nolinger.NoLingeringSocketsExtension.GRACE_KEY;
import static dev.nolinger.NoLingeringSocketsExtension.PROC_NET_KEY;
import static dev.nolinger.NoLingeringSocketsExtension.READ_ALWAYS_KEY;
import static dev.nolinger.NoLingeringSocketsExtension.SOURCE_KEY;
import static dev.nolinger.NoLingeringSocketsExtension.STATES_KEY;
import static dev.nolinger.NoLingeringSocketsExtension.TOLERANCE_KEY;
import static dev.nolinger.NoLingeringSocketsExtension.UNSUPPORTED_KEY;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The run-wide configuration parameters, parsed once. An explicitly set but invalid value is an
 * {@link ExtensionConfigurationException} that names the key and the value.
 */
record CheckConfiguration(boolean enabled, Set<TcpState> states, int tolerance, Duration grace,
		boolean failOnUnsupportedPlatform, Path procNet, Optional<Path> baseline, boolean writeBaseline,
		Source source, boolean readAlways) {

	static final Path DEFAULT_PROC_NET = Path.of("/proc/net");

	/** Where the socket table is read from: the values of {@value NoLingeringSocketsExtension#SOURCE_KEY}. */
	enum Source {
		/** {@code /proc/net/tcp} and {@code tcp6}. */
		PROC,
		/** A netlink {@code sock_diag} dump; Java 22 or later. */
		NETLINK,
		/** Netlink where it works and {@code /proc/net} is the default, else {@code /proc}. */
		AUTO
	}

	static final Set<TcpState> DEFAULT_STATES = Set.copyOf(EnumSet.of(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT));

	static final Duration DEFAULT_GRACE = Duration.ofSeconds(1);

	private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)?");

	static CheckConfiguration from(Function<String, Optional<String>> parameters) {
		boolean enabled = parameters.apply(ENABLED_KEY).map(v -> parseBoolean(ENABLED_KEY, v)).orElse(true);
		Set<TcpState> states = parameters.apply(STATES_KEY).map(v -> parseStates(STATES_KEY, v))
				.orElse(DEFAULT_STATES);
		int tolerance = parameters.apply(TOLERANCE_KEY).map(v -> parseTolerance(TOLERANCE_KEY, v)).orElse(0);
		Duration grace = parameters.apply(GRACE_KEY).map(v -> parseDuration(GRACE_KEY, v)).orElse(DEFAULT_GRACE);
		boolean fail = parameters.apply(UNSUPPORTED_KEY).map(v -> parseUnsupported(UNSUPPORTED_KEY, v))
				.orElse(false);
		Path procNet = parameters.apply(PROC_NET_KEY).map(v -> parsePath(PROC_NET_KEY, v, "a directory that holds tcp and tcp6"))
				.orElse(DEFAULT_PROC_NET);
		Optional<Path> baseline = parameters.apply(BASELINE_KEY).map(v -> parsePath(BASELINE_KEY, v, "a baseline file path"));
		boolean writeBaseline = parameters.apply(BASELINE_WRITE_KEY).map(v -> parseBoolean(BASELINE_WRITE_KEY, v))
			.orElse(false);
		if (writeBaseline && baseline.isEmpty()) {
			throw invalid(BASELINE_WRITE_KEY, "true", BASELINE_KEY + " to name the file to write as well");
		}
		Source source = parameters.apply(SOURCE_KEY).map(v -> parseSource(SOURCE_KEY, v)).orElse(Source.AUTO);
		boolean readAlways = parameters.apply(READ_ALWAYS_KEY).map(v -> parseBoolean(READ_ALWAYS_KEY, v)).orElse(false);
		return new CheckConfiguration(enabled, states, tolerance, grace, fail, procNet, baseline, writeBaseline,
				source, readAlways);
	}

	static boolean parseBoolean(String key, String value) {
		String v = value.strip().toLowerCase(Locale.ROOT);
		if (v.equals("true") || v.equals("false")) {
			return Boolean.parseBoolean(v);
		}
		throw invalid(key, value, "true or false");
	}

	static Set<TcpState> parseStates(String key, String value) {
		String expected = "a comma-separated list of TCP states, such as FIN_WAIT2,CLOSE_WAIT; known states: "
				+ Arrays.toString(TcpState.values());
		EnumSet<TcpState> states = EnumSet.noneOf(TcpState.class);
		for (String part : value.split(",", -1)) {
			String name = part.strip().toUpperCase(Locale.ROOT);
			try {
				states.add(TcpState.valueOf(name));
			}
			catch (IllegalArgumentException e) {
				throw invalid(key, value, expected);
			}
		}
		return Set.copyOf(states);
	}

	static int parseTolerance(String key, String value) {
		try {
			int tolerance = Integer.parseInt(value.strip());
			if (tolerance >= 0) {
				return tolerance;
			}
		}
		catch (NumberFormatException e) {
			// reported below
		}
		throw invalid(key, value, "a whole number of sockets, 0 or more");
	}

	static Duration parseDuration(String key, String value) {
		Matcher matcher = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
		if (matcher.matches()) {
			long amount = Long.parseLong(matcher.group(1));
			String unit = matcher.group(2);
			if (unit == null && amount == 0) {
				return Duration.ZERO;
			}
			if (unit != null) {
				return switch (unit) {
					case "ms" -> Duration.ofMillis(amount);
					case "s" -> Duration.ofSeconds(amount);
					default -> Duration.ofMinutes(amount);
				};
			}
		}
		throw invalid(key, value, "a duration such as 500ms, 1s or 0");
	}

	static boolean parseUnsupported(String key, String value) {
		String v = value.strip().toLowerCase(Locale.ROOT);
		if (v.equals("skip") || v.equals("fail")) {
			return v.equals("fail");
		}
		throw invalid(key, value, "skip or fail");
	}

	static Source parseSource(String key, String value) {
		String v = value.strip().toUpperCase(Locale.ROOT);
		for (Source source : Source.values()) {
			if (source.name().equals(v)) {
				return source;
			}
		}
		throw invalid(key, value, "proc, netlink or auto");
	}

	static Path parsePath(String key, String value, String expected) {
		if (value.isBlank()) {
			throw invalid(key, value, expected);
		}
		return Path.of(value.strip());
	}

	static ExtensionConfigurationException invalid(String key, String value, String expected) {
		return new ExtensionConfigurationException(
				Messages.invalidConfiguration(key, value, expected));
	}
}
