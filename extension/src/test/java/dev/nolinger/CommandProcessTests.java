/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command as its own JVM, with only the extension's classes on the class path: what
 * {@code java -jar} runs, minus the jar, which exists only after {@code package}.
 */
class CommandProcessTests {

	private static final long PID = ProcessHandle.current().pid();

	private static final int NOBODY = 65534;

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void mainPrintsTheRowsAndExitsWithTheStatusWithoutJUnitOnTheClassPath() throws Exception {
		LoopbackConnections.Pair pair = leakAndAwait();

		Result result = java(List.of(), "--port", String.valueOf(pair.serverPort()));

		assertThat(result.err()).isEmpty();
		assertThat(result.status()).isEqualTo(1);
		assertThat(result.out())
			.startsWith("2 sockets lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK on port " + pair.serverPort() + ":\n")
			.contains("  CLOSE_WAIT  127.0.0.1:" + pair.serverPort() + " -> 127.0.0.1:" + pair.clientPort()
					+ "  age unknown  pid " + PID + " (")
			.containsPattern("  FIN_WAIT2   127.0.0.1:" + pair.clientPort() + " -> 127.0.0.1:" + pair.serverPort()
					+ "  age ~\\d+s +orphan; peer is pid " + PID + " \\(");
	}

	@Test
	void forksWithTheSameLongCommandLineAreToldApartByMainClassDirectoryAndPid(@TempDir Path first,
			@TempDir Path second) throws Exception {
		Path classes = Path.of(LeakyChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		// Both command lines share far more than the 60 characters a terminal row keeps of other commands.
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:-UsePerfData", "-Xshare:auto", "-cp", classes.toString(), LeakyChildMain.class.getName());
		Process one = new ProcessBuilder(command).directory(first.toFile()).start();
		Process two = new ProcessBuilder(command).directory(second.toFile()).start();
		try {
			for (Process child : List.of(one, two)) {
				String port = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
						StandardCharsets.UTF_8)).readLine();
				Path directory = child == one ? first : second;
				Awaitility.await("the CLOSE_WAIT of pid " + child.pid())
					.atMost(Duration.ofSeconds(10))
					.pollInterval(Duration.ofMillis(50))
					.untilAsserted(() -> assertThat(CommandRun.onThisMachine("--port", port).out())
						.containsPattern("  CLOSE_WAIT  127\\.0\\.0\\.1:" + port + " -> 127\\.0\\.0\\.1:\\d+ +age unknown  pid "
								+ child.pid() + " \\(java dev\\.nolinger\\.LeakyChildMain, in "
								+ java.util.regex.Pattern.quote(directory.toRealPath().toString()) + "\\)\n"));
			}
		}
		finally {
			for (Process child : List.of(one, two)) {
				child.getOutputStream().close();
				if (!child.waitFor(10, TimeUnit.SECONDS)) {
					child.destroyForcibly();
				}
			}
		}
	}

	@Test
	void mainExitsTwoOnInvalidOptions() throws Exception {
		Result result = java(List.of(), "--port", "http");

		assertThat(result.status()).isEqualTo(2);
		assertThat(result.out()).isEmpty();
		assertThat(result.err()).isEqualTo("nolinger: --port: 'http' is not a port; expected a number from 1 to 65535\n"
				+ "Usage: java -jar nolinger-junit.jar [--port N] [--pid N] [--states STATE,...] [--json] [--help]\n");
	}

	@Test
	void anotherUserSeesOurSocketsAsPermissionDenied() throws Exception {
		Path setpriv = Path.of("/usr/bin/setpriv");
		assumeTrue(uid() == 0 && Files.isExecutable(setpriv), "needs root and setpriv to run the command as nobody");
		Path classes = Path.of(Command.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		assumeTrue(NobodyAccess.canLoadFrom(classes), "nobody cannot read " + classes + " here");
		LoopbackConnections.Pair pair = leakAndAwait();

		Result result = java(List.of(setpriv.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"),
				"--port", String.valueOf(pair.serverPort()));

		assertThat(result.err()).isEmpty();
		assertThat(result.status()).isEqualTo(1);
		assertThat(result.out())
			.contains("  CLOSE_WAIT  127.0.0.1:" + pair.serverPort() + " -> 127.0.0.1:" + pair.clientPort()
					+ "  age unknown  unknown (uid 0; permission denied)\n")
			.containsPattern("  FIN_WAIT2   127.0.0.1:" + pair.clientPort() + " -> 127.0.0.1:" + pair.serverPort()
					+ "  age ~\\d+s +orphan; no visible process holds its peer or listener\n")
			.containsPattern("\nThe open files of \\d+ processes could not be read \\(permission denied\\); run as root to"
					+ " see every owner.\n$");
	}

	private static LoopbackConnections.Pair leakAndAwait() {
		LoopbackConnections.Pair pair = LoopbackConnections.serverNeverCloses();
		String port = String.valueOf(pair.serverPort());
		Awaitility.await("both ends of the leak on port " + port)
			.atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> CommandRun.onThisMachine("--port", port).out().startsWith("2 sockets"));
		return pair;
	}

	private record Result(int status, String out, String err) {
	}

	private static Result java(List<String> prefix, String... args) throws IOException, InterruptedException, URISyntaxException {
		Path classes = Path.of(Command.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		List<String> command = new ArrayList<>(prefix);
		command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
				"-cp", classes.toString(), Command.class.getName()));
		command.addAll(List.of(args));
		Path out = Files.createTempFile("nolinger-command", ".out");
		Path err = Files.createTempFile("nolinger-command", ".err");
		try {
			Process process = new ProcessBuilder(command).directory(Path.of("/").toFile())
				.redirectOutput(out.toFile())
				.redirectError(err.toFile())
				.start();
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new AssertionError("the command did not finish in 60 s: " + command);
			}
			return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
					Files.readString(err, StandardCharsets.UTF_8));
		}
		finally {
			Files.delete(out);
			Files.delete(err);
		}
	}

	private static int uid() throws IOException {
		return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
	}
}
