/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import dev.nolinger.LingeringSocketsError;

/** Assertions on the failure nolinger reports: its headline, one row per socket, and a hint per state. */
final class LingeringFailures {

	private LingeringFailures() {
	}

	/**
	 * Asserts that the failure is nolinger's, blames {@code testName}, and lists exactly the
	 * expected rows, in any order.
	 *
	 * @param testName as nolinger prints it, such as {@code LeakyTestCases.leak()}
	 */
	static LingeringSocketsError assertLingering(Throwable failure, String testName, int tolerance,
			ExpectedRow... rows) {
		assertThat(failure).isInstanceOf(LingeringSocketsError.class);
		LingeringSocketsError error = (LingeringSocketsError) failure;
		String message = error.getMessage();
		String headline = rows.length + (rows.length == 1 ? " socket" : " sockets") + " lingering after " + testName
				+ " (tolerance " + tolerance + "):";
		assertThat(message).as("nolinger's message").startsWith(headline + "\n");
		List<String> printedRows = rowsOf(message);
		assertThat(printedRows).as("rows of:%n%s", message).hasSize(rows.length);
		for (ExpectedRow row : rows) {
			assertThat(printedRows).as("rows of:%n%s%nto hold a row matching%n%s", message, row)
				.anyMatch(row.pattern().asMatchPredicate());
			// The hint says how long the check watched: "still CLOSE_WAIT after 200 ms of grace: ...".
			assertThat(message).containsPattern("\n  still " + row.state()
					+ "( after \\d+ (ms|s|min) of grace| right after the test \\(no grace\\)): ");
		}
		assertThat(error.lingeringSockets()).isEqualTo(rows.length);
		return error;
	}

	/** The lines between the headline and the hints. */
	static List<String> rowsOf(String message) {
		List<String> lines = Arrays.asList(message.split("\n", -1));
		int hints = lines.indexOf("Hints:");
		assertThat(hints).as("a Hints: line in%n%s", message).isPositive();
		return lines.subList(1, hints);
	}
}
