/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.nolinger.LingeringSocketsError;

/**
 * Assertions on the failure nolinger reports: its headline, one row per socket, and a hint per
 * state. In the traced run (the sample tests run again with nolinger's jar as the agent), each
 * row also names its end and shows where its socket was opened, with the fixture's own line, and
 * the message ends with what to fix; untraced, it ends with how to trace.
 */
final class LingeringFailures {

	/** Set by the Surefire execution that runs the sample tests with the agent. */
	static final boolean TRACED = Boolean.getBoolean("nolinger.samples.traced");

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
		List<List<String>> printedRows = rowBlocksOf(message);
		assertThat(printedRows).as("rows of:%n%s", message).hasSize(rows.length);
		for (ExpectedRow row : rows) {
			assertThat(printedRows).as("rows of:%n%s%nto hold a row matching%n%s", message, row)
				.anyMatch(block -> row.pattern(TRACED).matcher(block.get(0)).matches() && (!TRACED || opened(block, row)));
			// The hint says how long the check watched: "still CLOSE_WAIT after 200 ms of grace: ...".
			assertThat(message).containsPattern("\n  still " + row.state()
					+ "( after \\d+ (ms|s|min) of grace| right after the test \\(no grace\\)): ");
		}
		assertThat(error.lingeringSockets()).isEqualTo(rows.length);
		String last = message.substring(message.lastIndexOf('\n') + 1);
		if (TRACED) {
			assertThat(message).as("a traced message").doesNotContain("unknown end").doesNotContain("not traced");
			assertThat(last).as("last line of%n%s", message).startsWith("Fix: ");
		}
		else {
			assertThat(last).as("last line of%n%s", message).startsWith("To see where each socket was opened, run the tests with -javaagent:");
		}
		return error;
	}

	/**
	 * Whether a row's block shows where its socket was opened: the fixture's own line when the
	 * fixture opened it, else at least the thread that did.
	 */
	private static boolean opened(List<String> block, ExpectedRow row) {
		if (block.size() < 3 || !block.get(1).matches("    (connected|accepted|listening) on thread \".*\"( by listener \\S+(, started at \\S+)?)?:")) {
			return false;
		}
		if (row.openedAt() == null) {
			return block.get(2).startsWith("\tat ");
		}
		String frame = "\tat " + SourceLine.text(row.openedAt());
		for (String line : block.subList(2, block.size())) {
			if (!line.startsWith("\t")) {
				return false;
			}
			if (line.equals(frame)) {
				return true;
			}
		}
		return false;
	}

	/** The rows between the headline and the hints, without what a traced message adds under each. */
	static List<String> rowsOf(String message) {
		return rowBlocksOf(message).stream().map(block -> block.get(0)).toList();
	}

	/** Each row with the lines under it that a traced message adds: where it was opened and closed. */
	static List<List<String>> rowBlocksOf(String message) {
		List<String> lines = Arrays.asList(message.split("\n", -1));
		int hints = lines.indexOf("Hints:");
		assertThat(hints).as("a Hints: line in%n%s", message).isPositive();
		List<List<String>> blocks = new ArrayList<>();
		for (String line : lines.subList(1, hints)) {
			if (line.startsWith("    ") || line.startsWith("\t")) {
				assertThat(blocks).as("a row before%n%s%nin%n%s", line, message).isNotEmpty();
				blocks.get(blocks.size() - 1).add(line);
			}
			else {
				blocks.add(new ArrayList<>(List.of(line)));
			}
		}
		return blocks;
	}
}
