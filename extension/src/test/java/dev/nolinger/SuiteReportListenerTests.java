/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/** The suite summary, found by the launcher through ServiceLoader, on a real run with a real leak. */
class SuiteReportListenerTests {

	static LoopbackConnections.Pair leak;

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void printsOneSummaryAndWritesJsonAndMarkdown(@TempDir Path reports) throws Exception {
		ByteArrayOutputStream captured = new ByteArrayOutputStream();
		PrintStream original = System.out;
		SummaryGeneratingListener summary = new SummaryGeneratingListener();
		System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
		try {
			LauncherFactory.create()
				.execute(LauncherDiscoveryRequestBuilder.request()
					.selectors(selectClass(LeakyTestCases.class), selectClass(CleanTestCases.class))
					.configurationParameter("nolinger.grace", "100ms")
					.configurationParameter("nolinger.report.dir", reports.toString())
					.build(), summary);
		}
		finally {
			System.setOut(original);
		}

		assertThat(summary.getSummary().getTestsFailedCount()).isEqualTo(1);
		int server = leak.serverPort();
		int client = leak.clientPort();
		assertThat(captured.toString(StandardCharsets.UTF_8)).contains("""
				nolinger: 3 tests checked, 1 failed for lingering sockets, 2 lingering sockets.
				  states:       CLOSE_WAIT (1), FIN_WAIT2 (1)
				  server ports: %d (2)
				  report:       %s""".formatted(server, reports.resolve("report.md")));
		String json = Files.readString(reports.resolve("report.json"));
		assertThat(json).startsWith("""
				{
				  "testsChecked": 3,
				  "testsFailed": 1,
				  "lingeringSockets": 2,
				  "states": {"CLOSE_WAIT": 1, "FIN_WAIT2": 1},
				  "serverPorts": {"%d": 2},
				  "tests": [""".formatted(server))
			.contains("\"name\": \"LeakyTestCases.leaks()\", \"failed\": true, \"tolerance\": 0, \"passedByBaseline\": 0, \"sockets\": [")
			.contains("{\"state\": \"CLOSE_WAIT\", \"end\": \"server end\", \"local\": \"127.0.0.1:%d\", \"remote\": \"127.0.0.1:%d\", \"rule\": 1, \"serverPort\": %d}"
				.formatted(server, client, server))
			.contains("\"name\": \"CleanTestCases.clean()\", \"failed\": false, \"tolerance\": 0, \"passedByBaseline\": 0, \"sockets\": []");
		assertThat(Files.readString(reports.resolve("report.md"))).startsWith("""
				# nolinger report

				| tests checked | failed for lingering sockets | lingering sockets |
				| ---: | ---: | ---: |
				| 3 | 1 | 2 |

				## Most frequent states

				| state | sockets |
				| --- | ---: |
				| CLOSE_WAIT | 1 |
				| FIN_WAIT2 | 1 |

				## Most frequent server ports

				| port | sockets |
				| ---: | ---: |
				| %d | 2 |

				## Tests that left sockets

				### LeakyTestCases.leaks() (failed, tolerance 0)
				""".formatted(server));
	}

	@Test
	void partsOfTheSameRunAreMergedAndOlderRunsDropped(@TempDir Path reports) throws Exception {
		SuiteReport.Test fromSibling = new SuiteReport.Test("[engine:junit-jupiter]/[class:Sibling]", "Sibling.t()", 0,
				true, List.of(new SuiteReport.Socket(TcpState.CLOSE_WAIT, "server end", "127.0.0.1:8080",
						"127.0.0.1:40000", 1, 8080)));
		SuiteReport.Test own = new SuiteReport.Test("[engine:junit-jupiter]/[class:Own]", "Own.t()", 0, false, List.of());
		Path parts = Files.createDirectories(reports.resolve("parts"));
		String run = SuiteReportFiles.runTag();
		Files.writeString(parts.resolve(run + "_1.tsv"), SuiteReportFiles.serialize(new SuiteReport(List.of(fromSibling))));
		Files.writeString(parts.resolve("run-1-1_2.tsv"), "T\tstale\tOld.t()\ttrue\t0\n");

		SuiteReport merged = SuiteReportFiles.write(reports, new SuiteReport(List.of(own)));

		assertThat(merged.tests()).containsExactlyInAnyOrder(fromSibling, own);
		assertThat(parts.resolve("run-1-1_2.tsv")).doesNotExist();
		assertThat(merged.byServerPort()).containsExactly(org.assertj.core.api.Assertions.entry("8080", 1));
	}

	@Test
	void reportPartsSurviveAwkwardNames() throws Exception {
		SuiteReport.Test test = new SuiteReport.Test("id\twith\\tabs", "name\nwith \"quotes\"", 2, true,
				List.of(new SuiteReport.Socket(TcpState.FIN_WAIT2, "unknown end", "[::1]:1", "[::1]:2", 2, -1)));

		assertThat(SuiteReportFiles.deserialize(SuiteReportFiles.serialize(new SuiteReport(List.of(test)))))
			.containsExactly(test);
	}

	@NoLingeringSockets
	static class LeakyTestCases {

		@Test
		void leaks() {
			leak = LoopbackConnections.serverNeverCloses();
		}

		@Test
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}
	}

	@NoLingeringSockets
	static class CleanTestCases {

		@Test
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}
	}
}
