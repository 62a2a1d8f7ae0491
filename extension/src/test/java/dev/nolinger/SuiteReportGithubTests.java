/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The findings in GitHub Actions, on real leaks run through the launcher with the environment of
 * a workflow step: the {@code ::error} annotation on the line that opened the socket to fix, and
 * the report in the job summary. The ledger is fed the way the agent's hooks feed it, as in
 * {@link LedgerCheckTests}.
 */
class SuiteReportGithubTests {

	private static final Path MODULE = Path.of("").toAbsolutePath();

	private static final String SOURCE = "src/test/java/dev/nolinger/SuiteReportGithubTests.java";

	static volatile boolean traced;
	static volatile int acceptedLine;
	static volatile Socket client;
	static volatile Socket accepted;

	@AfterEach
	void restore() {
		SuiteReportListener.environment = System::getenv;
		LedgerEvents.stopTracing();
		traced = false;
		LoopbackConnections.closeAll();
	}

	@Test
	void annotatesTheLineThatOpenedTheSocketToFixAndPutsTheReportInTheJobSummary(@TempDir Path dir) throws Exception {
		Path summary = dir.resolve("step-summary.md");
		Files.writeString(summary, "what an earlier command of the step wrote\n");
		Path reports = dir.resolve("reports");
		environment(Map.of("GITHUB_ACTIONS", "true", "GITHUB_WORKSPACE", MODULE.getParent().toString(),
				"GITHUB_STEP_SUMMARY", summary.toString()));
		trace();

		SuiteReportListenerTests.Launched run = SuiteReportListenerTests.launch(reports, "300ms", ServerLeakTestCases.class);

		assertThat(run.summary().getTestsFailedCount()).isEqualTo(1);
		// One: the client end's FIN_WAIT2 needs no fix of its own, closing the server end ends both.
		assertThat(errorLines(run.out())).containsExactly(
				"::error file=" + MODULE.getFileName() + "/" + SOURCE + ",line=" + acceptedLine
						+ ",title=nolinger%3A socket lingering after ServerLeakTestCases.leaks()"
						+ "::CLOSE_WAIT server end 127.0.0.1:" + accepted.getLocalPort() + " -> 127.0.0.1:" + client.getLocalPort()
						+ "%0AFix: close the server end opened at SuiteReportGithubTests.java:" + acceptedLine
						+ " (CLOSE_WAIT: the client closed; this JVM had not closed it within 300 ms of grace).");
		assertThat(run.summary().getFailures().get(0).getException().getMessage())
			.endsWith("Fix: close the server end opened at SuiteReportGithubTests.java:" + acceptedLine
					+ " (CLOSE_WAIT: the client closed; this JVM had not closed it within 300 ms of grace).");
		String section = SuiteReportFiles.runTag() + " " + reports.toAbsolutePath();
		assertThat(Files.readString(summary)).isEqualTo("what an earlier command of the step wrote\n"
				+ "<!-- nolinger report: " + section + " -->\n" + Files.readString(reports.resolve("report.md")) + "\n"
				+ "<!-- end of nolinger report: " + section + " -->\n");
	}

	@Test
	void withoutAWorkspaceThePathIsRelativeToTheWorkingDirectoryAndAnUntracedFailureHasNoAnnotation(@TempDir Path dir)
			throws Exception {
		environment(Map.of("GITHUB_ACTIONS", "true"));
		trace();

		SuiteReportListenerTests.Launched tracedRun = SuiteReportListenerTests.launch(dir.resolve("traced"), "300ms",
				ServerLeakTestCases.class);

		assertThat(errorLines(tracedRun.out())).singleElement().asString()
			.startsWith("::error file=" + SOURCE + ",line=" + acceptedLine + ",title=");

		LedgerEvents.stopTracing();
		traced = false;
		SuiteReportListenerTests.Launched untraced = SuiteReportListenerTests.launch(dir.resolve("untraced"), "300ms",
				ServerLeakTestCases.class);

		assertThat(untraced.summary().getTestsFailedCount()).as("the untraced leak still fails its test").isEqualTo(1);
		assertThat(errorLines(untraced.out())).as("no line to name").isEmpty();
	}

	@Test
	void outsideGithubActionsNothingChanges(@TempDir Path dir) throws Exception {
		Path summary = dir.resolve("step-summary.md");
		environment(Map.of());
		trace();

		SuiteReportListenerTests.Launched run = SuiteReportListenerTests.launch(dir.resolve("reports"), "300ms",
				ServerLeakTestCases.class);

		assertThat(run.summary().getTestsFailedCount()).isEqualTo(1);
		assertThat(run.out()).contains("nolinger: 1 test checked, 1 failed for lingering sockets, 2 lingering sockets.")
			.doesNotContain("::");
		assertThat(summary).doesNotExist();
	}

	@Test
	void everyForkAnnotatesItsOwnTestsAndTheJobSummaryHoldsTheRunsReportOnce(@TempDir Path dir) throws Exception {
		Path summary = dir.resolve("step-summary.md");
		Path reports = dir.resolve("reports");
		environment(Map.of("GITHUB_ACTIONS", "true", "GITHUB_STEP_SUMMARY", summary.toString()));
		trace();

		// Two launcher sessions of one run, as two Surefire forks write their parts into one report directory.
		SuiteReportListenerTests.Launched first = SuiteReportListenerTests.launch(reports, "300ms", ServerLeakTestCases.class);
		int firstLine = acceptedLine;
		String firstSocket = "127.0.0.1:" + accepted.getLocalPort() + " -> ";
		SuiteReportListenerTests.Launched second = SuiteReportListenerTests.launch(reports, "300ms", ServerLeakTestCases.class);

		assertThat(errorLines(first.out())).singleElement().asString().contains(",line=" + firstLine + ",")
			.contains(firstSocket);
		assertThat(errorLines(second.out())).singleElement().asString().doesNotContain(firstSocket);
		String text = Files.readString(summary);
		assertThat(text).startsWith("<!-- nolinger report: ").endsWith(" -->\n")
			.contains("\n| 2 | 2 | 4 |\n")
			.containsOnlyOnce("# nolinger report")
			.contains(Files.readString(reports.resolve("report.md")));
	}

	@Test
	void workflowCommandsEscapeWhatGithubParses() {
		assertThat(SuiteReportGithub.data("100% done\r\nnext: a, b")).isEqualTo("100%25 done%0D%0Anext: a, b");
		assertThat(SuiteReportGithub.property("100% done\r\nnext: a, b")).isEqualTo("100%25 done%0D%0Anext%3A a%2C b");
	}

	@Test
	void aFrameOutsideTheProjectsSourcesIsAnnotatedWithoutAFile() {
		List<String> commands = SuiteReportGithub.commands(
				List.of(new SuiteReportGithub.Annotation("com.example.Client", "Client.java", 12, "t", "m")),
				Map.of("GITHUB_ACTIONS", "true")::get, MODULE);

		assertThat(commands).containsExactly("::error title=t::m");
	}

	@Test
	void sourcesAreFoundUnderEverySourceRootOfTheModule(@TempDir Path module) throws IOException {
		Path main = Files.createDirectories(module.resolve("src/main/java/com/example")).resolve("Client.java");
		Path kotlin = Files.createDirectories(module.resolve("src/integrationTest/kotlin/com/example")).resolve("Flow.kt");
		Files.writeString(main, "");
		Files.writeString(kotlin, "");

		assertThat(SuiteReportGithub.source(module, "com.example.Client$Inner", "Client.java")).isEqualTo(main);
		assertThat(SuiteReportGithub.source(module, "com.example.FlowKt", "Flow.kt")).isEqualTo(kotlin);
		assertThat(SuiteReportGithub.source(module, "com.example.Other", "Other.java")).isNull();
	}

	private static void environment(Map<String, String> variables) {
		Function<String, @Nullable String> lookup = variables::get;
		SuiteReportListener.environment = lookup;
	}

	private static void trace() {
		traced = true;
		LedgerEvents.startTracing();
	}

	private static List<String> errorLines(String out) {
		return out.lines().filter(line -> line.startsWith("::error")).toList();
	}

	private static int line() {
		return new Throwable().getStackTrace()[1].getLineNumber();
	}

	private static InetSocketAddress local(Socket socket) {
		return (InetSocketAddress) socket.getLocalSocketAddress();
	}

	private static InetSocketAddress remote(Socket socket) {
		return (InetSocketAddress) socket.getRemoteSocketAddress();
	}

	@NoLingeringSockets
	static class ServerLeakTestCases {

		@Test
		void leaks() throws IOException {
			ServerSocket listener = LoopbackConnections.keep(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
			if (traced) {
				LedgerEvents.listening(listener, (InetSocketAddress) listener.getLocalSocketAddress());
			}
			client = LoopbackConnections.keep(new Socket());
			client.connect(listener.getLocalSocketAddress(), 5_000);
			if (traced) {
				LedgerEvents.connected(client, local(client), remote(client));
			}
			accepted = LoopbackConnections.keep(listener.accept());
			if (traced) {
				LedgerEvents.accepted(accepted, local(accepted), remote(accepted)); acceptedLine = line();
			}
			client.close();
			if (traced) {
				LedgerEvents.closed(client);
			}
		}
	}
}
