/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** Appends one {@code class milliseconds} line per timed class to the file the POM names. */
final class Timing {

	static final int TESTS = 300;

	private Timing() {
	}

	static void record(Class<?> tests, long startNanos) {
		double millis = (System.nanoTime() - startNanos) / 1e6;
		String file = System.getProperty("nolinger.suite.timings");
		if (file == null) {
			return;
		}
		try {
			Files.writeString(Path.of(file), String.format(Locale.ROOT, "%s %.3f%n", tests.getSimpleName(), millis),
					StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
