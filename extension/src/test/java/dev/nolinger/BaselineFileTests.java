/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The baseline of known leaks: adopt on a legacy suite, fail only new leaks, ratchet down. */
class BaselineFileTests {

	private static final String LEAKS_ONE = "[engine:junit-jupiter]/[class:dev.nolinger.BaselineFileTests$LegacyTestCases]/[method:leaksOne()]";

	private static final String CLEAN = "[engine:junit-jupiter]/[class:dev.nolinger.BaselineFileTests$LegacyTestCases]/[method:clean()]";

	static volatile int leaksInLeaksOne = 1;

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
		leaksInLeaksOne = 1;
	}

	@Test
	void writeThenPassAtTheBaselineThenFailANewLeakThenRatchetDown(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("nolinger-baseline.tsv");

		Events written = run(file, true);
		written.assertStatistics(stats -> stats.succeeded(2).failed(0));
		assertThat(Files.readString(file)).isEqualTo(BaselineFile.HEADER + """
				%s	FIN_WAIT2	client end	*	1
				%s	CLOSE_WAIT	server end	*	1
				""".formatted(LEAKS_ONE, LEAKS_ONE));

		LoopbackConnections.closeAll();
		run(file, false).assertStatistics(stats -> stats.succeeded(2).failed(0));

		LoopbackConnections.closeAll();
		leaksInLeaksOne = 2;
		run(file, false).assertThatEvents()
			.haveExactly(1, event(test("leaksOne"), finishedWithFailure(message(m -> m.startsWith(
					"2 sockets lingering after LegacyTestCases.leaksOne() (tolerance 0):")
					&& m.endsWith("Not counted: 2 more sockets that the baseline " + file + " allows this test.\n"
							+ Messages.UNTRACED)))))
			.haveExactly(1, event(test("clean"), finishedSuccessfully()));

		LoopbackConnections.closeAll();
		leaksInLeaksOne = 0;
		run(file, true).assertStatistics(stats -> stats.succeeded(2).failed(0));
		assertThat(Files.readString(file)).as("fixed leaks leave the baseline").isEqualTo(BaselineFile.HEADER);
	}

	@Test
	void writeAndCheckRunsCountTheSameSocketsAndTheReportSaysWhoPassedByTheBaseline(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("nolinger-baseline.tsv");
		// One directory per run: parts of one Maven run are merged, and both runs here are one.
		Path reports = dir.resolve("write-reports");

		String written = summaryOf(file, true, reports);
		assertThat(dir).as("no lock file is left next to the baseline")
			.isDirectoryContaining(p -> p.equals(file))
			.isDirectoryNotContaining("glob:**.lock");
		assertThat(Files.readString(reports.resolve("report.md"))).contains("### LegacyTestCases.leaksOne() (passed, tolerance 0)");
		LoopbackConnections.closeAll();
		reports = dir.resolve("check-reports");
		String checked = summaryOf(file, false, reports);

		assertThat(written).startsWith("nolinger: 2 tests checked, 0 failed for lingering sockets, 2 lingering sockets.");
		assertThat(checked).as("the check run counts what the writing run counted").startsWith(written.lines().findFirst().orElseThrow());
		assertThat(Files.readString(reports.resolve("report.md")))
			.contains("### LegacyTestCases.leaksOne() (passed only because the baseline allows 2 sockets, tolerance 0)");
		assertThat(Files.readString(reports.resolve("report.json"))).contains("\"passedByBaseline\": 2");
		assertThat(dir).isDirectoryNotContaining("glob:**.lock");
	}

	/** A real launcher run, so the summary listener takes part; returns what it printed. */
	private static String summaryOf(Path baseline, boolean write, Path reports) {
		java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
		java.io.PrintStream original = System.out;
		System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
		try {
			org.junit.platform.launcher.core.LauncherFactory.create()
				.execute(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
					.selectors(selectClass(LegacyTestCases.class))
					.configurationParameter("nolinger.grace", "100ms")
					.configurationParameter("nolinger.baseline", baseline.toString())
					.configurationParameter("nolinger.baseline.write", String.valueOf(write))
					.configurationParameter("nolinger.report.dir", reports.toString())
					.build());
		}
		finally {
			System.setOut(original);
		}
		String out = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
		return out.substring(out.indexOf("nolinger: "));
	}

	@Test
	void rewriteKeepsTestsThisRunDidNotCheck(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("baseline.tsv");
		Files.writeString(file, BaselineFile.HEADER + "[engine:junit-jupiter]/[class:Other]/[method:t()]\tCLOSE_WAIT\tserver end\t8080\t3\n"
				+ CLEAN + "\tFIN_WAIT2\tclient end\t*\t1\n");

		BaselineFile.rewrite(file, Map.of(CLEAN, List.of()));

		assertThat(Files.readString(file)).isEqualTo(BaselineFile.HEADER
				+ "[engine:junit-jupiter]/[class:Other]/[method:t()]\tCLOSE_WAIT\tserver end\t8080\t3\n");
	}

	@Test
	void malformedBaselineNamesFileAndLine() {
		assertThatThrownBy(() -> BaselineFile.parse("# comment\nsome-test\tCLOSE_WAIT\tserver end\n", Path.of("b.tsv"),
				"nolinger.baseline"))
			.isInstanceOf(ExtensionConfigurationException.class)
			.hasMessage("Invalid value for nolinger.baseline: 'b.tsv'; expected a baseline file whose line 2 is"
					+ " 'test id, state, end, server port, count' (expected 5 tab-separated columns, found 3): some-test\tCLOSE_WAIT\tserver end.");
		assertThatThrownBy(() -> BaselineFile.parse("t\tCLOSE_WAT\tserver end\t80\t1\n", Path.of("b.tsv"), "nolinger.baseline"))
			.hasMessageContaining("(No enum constant dev.nolinger.TcpState.CLOSE_WAT)");
	}

	@Test
	void portsInTheEphemeralRangeAreWrittenAsAStar() throws Exception {
		BaselinePorts range = new BaselinePorts(32768, 60999);

		assertThat(range.contains(32768)).isTrue();
		assertThat(range.contains(60999)).isTrue();
		assertThat(range.contains(32767)).isFalse();
		assertThat(range.contains(61000)).isFalse();
		assertThat(range.contains(8080)).isFalse();
		assertThat(BaselinePorts.read(Path.of("/nonexistent"))).isEqualTo(BaselinePorts.LINUX_DEFAULT);
		// /proc files report size 0; reading them by size would cut "32768\t60999" short.
		BaselinePorts real = BaselinePorts.read(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
		assertThat(real.low()).isLessThan(real.high());
		try (java.net.ServerSocket bound = new java.net.ServerSocket(0)) {
			assertThat(real.contains(bound.getLocalPort())).isTrue();
		}
	}

	private static Events run(Path baseline, boolean write) {
		return EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "100ms")
			.configurationParameter("nolinger.baseline", baseline.toString())
			.configurationParameter("nolinger.baseline.write", String.valueOf(write))
			.selectors(selectClass(LegacyTestCases.class))
			.execute()
			.testEvents();
	}

	@NoLingeringSockets
	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class LegacyTestCases {

		@Test
		@Order(1)
		void leaksOne() {
			for (int i = 0; i < leaksInLeaksOne; i++) {
				LoopbackConnections.serverNeverCloses();
			}
		}

		@Test
		@Order(2)
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}
	}
}
