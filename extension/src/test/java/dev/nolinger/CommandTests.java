/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command in-process on this machine's /proc, against real loopback sockets this JVM leaves lingering. */
class CommandTests {

	private static final long PID = ProcessHandle.current().pid();

	private static final String HINTS = """
			Hints:
			  FIN_WAIT2: the owning process closed (or called shutdownOutput()), and the peer never closed its end.
			  CLOSE_WAIT: the peer closed, and the owning process never called close() on its end.
			""";

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void namesThisJvmAsOwnerOfCloseWaitAndAsPeerOfTheOrphanedFinWait2() {
		LoopbackConnections.Pair pair = LoopbackConnections.serverNeverCloses();
		int server = pair.serverPort();
		int client = pair.clientPort();

		CommandRun run = awaitRows(2, "--port", String.valueOf(server));

		assertThat(run.status()).isEqualTo(1);
		assertThat(run.err()).isEmpty();
		assertThat(run.out()).matches(Pattern.quote("2 sockets lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK on port " + server + ":\n"
				+ "  FIN_WAIT2   127.0.0.1:" + client + " -> 127.0.0.1:" + server + "  age ~") + "\\d+s +"
				+ Pattern.quote("orphan; peer is pid " + PID + " (") + "[^\n]+\\)\n"
				+ Pattern.quote("  CLOSE_WAIT  127.0.0.1:" + server + " -> 127.0.0.1:" + client + "  age unknown  pid " + PID + " (")
				+ "[^\n]+\\)\n" + Pattern.quote(HINTS));
	}

	@Test
	void showsTheStartOfThisJvmsCommandLine() {
		LoopbackConnections.Pair pair = LoopbackConnections.serverNeverCloses();
		String commandLine = thisJvmsCommandLine();
		String shown = commandLine.length() > CommandMessages.MAX_COMMAND_TEXT
				? commandLine.substring(0, CommandMessages.MAX_COMMAND_TEXT - 3) + "..." : commandLine;

		CommandRun run = awaitRows(1, "--port", String.valueOf(pair.serverPort()), "--states", "CLOSE_WAIT");

		assertThat(run.out()).contains("pid " + PID + " (" + MessageText.printable(shown) + ")\n");
	}

	@Test
	void halfClosedSocketIsHeldByThisJvmAndHasNoAge() throws IOException {
		LoopbackConnections.Pair pair = LoopbackConnections.connect();
		pair.client().shutdownOutput();

		CommandRun run = awaitRows(2, "--port", String.valueOf(pair.clientPort()));

		assertThat(run.out()).containsPattern(Pattern.quote("  FIN_WAIT2   127.0.0.1:" + pair.clientPort() + " -> 127.0.0.1:"
				+ pair.serverPort() + "  age unknown  pid " + PID + " ("));
		assertThat(run.out()).containsPattern(Pattern.quote("  CLOSE_WAIT  127.0.0.1:" + pair.serverPort() + " -> 127.0.0.1:"
				+ pair.clientPort() + "  age unknown  pid " + PID + " ("));
	}

	@Test
	void pidKeepsEveryRowThatNamesThisJvm() {
		LoopbackConnections.Pair first = LoopbackConnections.serverNeverCloses();
		LoopbackConnections.Pair second = LoopbackConnections.serverNeverCloses();

		CommandRun run = awaitRows(4, "--pid", String.valueOf(PID));

		assertThat(run.status()).isEqualTo(1);
		assertThat(run.out()).containsPattern("^\\d+ sockets? lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK for pid " + PID + ":\n");
		for (LoopbackConnections.Pair pair : List.of(first, second)) {
			assertThat(run.out())
				.contains("CLOSE_WAIT  127.0.0.1:" + pair.serverPort() + " -> 127.0.0.1:" + pair.clientPort())
				.contains("FIN_WAIT2   127.0.0.1:" + pair.clientPort() + " -> 127.0.0.1:" + pair.serverPort());
		}
		assertThat(rows(run)).allSatisfy(row -> assertThat(row).containsPattern("  (pid|orphan; peer is pid|orphan; listener \\S+ is pid) " + PID + " \\("));
	}

	@Test
	void pidOfAnotherProcessHidesThisJvmsSockets() {
		LoopbackConnections.Pair pair = LoopbackConnections.serverNeverCloses();
		awaitRows(2, "--port", String.valueOf(pair.serverPort()));
		long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);

		CommandRun run = CommandRun.onThisMachine("--port", String.valueOf(pair.serverPort()), "--pid", String.valueOf(parent));

		assertThat(run.status()).isZero();
		assertThat(run.out()).isEqualTo("No sockets lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK on port " + pair.serverPort()
				+ " for pid " + parent + ".\n");
	}

	@Test
	void statesChoosesWhichRowsAppear() {
		LoopbackConnections.Pair pair = LoopbackConnections.serverNeverCloses();
		awaitRows(2, "--port", String.valueOf(pair.serverPort()));

		CommandRun run = CommandRun.onThisMachine("--port", String.valueOf(pair.serverPort()), "--states", "close_wait");

		assertThat(run.status()).isEqualTo(1);
		assertThat(run.out()).startsWith("1 socket lingering in CLOSE_WAIT on port " + pair.serverPort() + ":\n"
				+ "  CLOSE_WAIT  127.0.0.1:" + pair.serverPort() + " -> 127.0.0.1:" + pair.clientPort() + "  age unknown  pid " + PID + " (")
			.endsWith(")\nHints:\n  CLOSE_WAIT: the peer closed, and the owning process never called close() on its end.\n");
	}

	@Test
	void listenStateListsTheServerSocket() {
		LoopbackConnections.Pair pair = LoopbackConnections.connect();

		CommandRun run = CommandRun.onThisMachine("--port", String.valueOf(pair.serverPort()), "--states", "LISTEN,ESTABLISHED");

		assertThat(rows(run)).hasSize(3)
			.anySatisfy(row -> assertThat(row).startsWith("  LISTEN       127.0.0.1:" + pair.serverPort() + " -> [::]:0   "))
			.allSatisfy(row -> assertThat(row).contains("pid " + PID + " ("));
	}

	@Test
	void nothingLingeringExitsZero() {
		LoopbackConnections.Pair pair = LoopbackConnections.cleanlyClosed();
		String port = String.valueOf(pair.serverPort());

		CommandRun run = Awaitility.await("no socket on port " + port + " lingers")
			.atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> CommandRun.onThisMachine("--port", port), r -> r.status() == 0);

		assertThat(run.out()).isEqualTo("No sockets lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK on port " + port + ".\n");
		assertThat(run.err()).isEmpty();
	}

	@Test
	void jsonDescribesTheSameSockets() {
		LoopbackConnections.Pair pair = LoopbackConnections.serverNeverCloses();
		awaitRows(2, "--port", String.valueOf(pair.serverPort()));

		CommandRun run = CommandRun.onThisMachine("--json", "--port", String.valueOf(pair.serverPort()));

		assertThat(run.status()).isEqualTo(1);
		@SuppressWarnings("unchecked")
		Map<String, Object> document = (Map<String, Object>) JsonText.parse(run.out());
		assertThat(document).containsEntry("states", List.of("FIN_WAIT2", "CLOSE_WAIT", "LAST_ACK"))
			.containsEntry("port", (long) pair.serverPort())
			.containsEntry("pid", null)
			.containsKey("tcpFinTimeoutSeconds");
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> sockets = (List<Map<String, Object>>) document.get("sockets");
		assertThat(sockets).hasSize(2);

		Map<String, Object> finWait2 = sockets.get(0);
		assertThat(finWait2).containsEntry("state", "FIN_WAIT2")
			.containsEntry("local", "127.0.0.1:" + pair.clientPort())
			.containsEntry("remote", "127.0.0.1:" + pair.serverPort())
			.containsEntry("localPort", (long) pair.clientPort())
			.containsEntry("inode", 0L)
			.containsEntry("hint", "the owning process closed (or called shutdownOutput()), and the peer never closed its end.");
		assertThat(finWait2.get("ageSeconds")).isInstanceOf(Long.class);
		assertThat(object(finWait2.get("owner"))).containsEntry("kind", "orphan-peer").containsEntry("pids", List.of(PID));

		Map<String, Object> closeWait = sockets.get(1);
		assertThat(closeWait).containsEntry("state", "CLOSE_WAIT")
			.containsEntry("local", "127.0.0.1:" + pair.serverPort())
			.containsEntry("ageSeconds", null);
		assertThat((long) closeWait.get("inode")).isPositive();
		assertThat(object(closeWait.get("owner"))).containsEntry("kind", "process")
			.containsEntry("pids", List.of(PID))
			.containsEntry("command", thisJvmsCommandLine())
			.containsEntry("text", "pid " + PID + " (" + thisJvmsCommandLine() + ")");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			--bogus                        | unknown option '--bogus'
			-x                             | unknown option '-x'
			stray                          | unexpected argument 'stray'; the command takes options only
			--port                         | --port needs a value
			--port --json                  | --port needs a value
			--port 0                       | --port: '0' is not a port; expected a number from 1 to 65535
			--port 65536                   | --port: '65536' is not a port; expected a number from 1 to 65535
			--port=http                    | --port: 'http' is not a port; expected a number from 1 to 65535
			--port 80 --port 81            | --port given more than once
			--pid -5                       | --pid: '-5' is not a process id; expected a positive number
			--pid 99999999999999999999     | --pid: '99999999999999999999' is not a process id; expected a positive number
			--states                       | --states needs a value
			--states CLOSE_WAIT,BOGUS      | --states: unknown state 'BOGUS'; expected comma-separated names from ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING
			--states CLOSE_WAIT,,FIN_WAIT2 | --states: empty state name in 'CLOSE_WAIT,,FIN_WAIT2'
			--json=yes                     | --json takes no value
			--help=me                      | --help takes no value
			""")
	void invalidOptionsExitTwoWithTheProblemAndTheUsage(String args, String problem) {
		CommandRun run = CommandRun.onThisMachine(args.split(" "));

		assertThat(run.status()).isEqualTo(2);
		assertThat(run.out()).isEmpty();
		assertThat(run.err()).isEqualTo("nolinger: " + problem + "\n"
				+ "Usage: java -jar nolinger-junit.jar [--port N] [--pid N] [--states STATE,...] [--json] [--help]\n");
	}

	@Test
	void helpPrintsUsageAndExitsZero() {
		CommandRun run = CommandRun.onThisMachine("--port", "80", "--help");

		assertThat(run.status()).isZero();
		assertThat(run.err()).isEmpty();
		assertThat(run.out()).isEqualTo("""
				Usage: java -jar nolinger-junit.jar [--port N] [--pid N] [--states STATE,...] [--json] [--help]

				Lists the TCP sockets in this network namespace that linger in FIN_WAIT2, CLOSE_WAIT or LAST_ACK:
				each one's state, local -> remote, age when the kernel's timer tells it, owning process
				(pid and command line, from /proc/*/fd), and what the state means.

				Options:
				  --port N            only sockets whose local or remote port is N
				  --pid N             only sockets process N holds, and orphaned ones whose peer or
				                      listener it holds
				  --states A,B        the states to list, comma-separated, in any case (default
				                      FIN_WAIT2,CLOSE_WAIT,LAST_ACK): ESTABLISHED, SYN_SENT, SYN_RECV,
				                      FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING
				  --json              print JSON instead of a table
				  -h, --help          print this help

				Exit status: 0 when no socket lingers, 1 when some do, 2 for invalid options,
				3 when the socket table cannot be read (no /proc/net/tcp: not Linux).
				Other users' processes show as "unknown (... permission denied)" unless run as root.
				""");
		assertThat(CommandRun.onThisMachine("-h").out()).isEqualTo(run.out());
	}

	@Test
	void missingProcExitsThreeSayingWhy(@TempDir Path notProc) {
		CommandRun run = CommandRun.run(notProc);

		assertThat(run.status()).isEqualTo(3);
		assertThat(run.out()).isEmpty();
		assertThat(run.err()).isEqualTo("nolinger: " + notProc.resolve("net/tcp") + " does not exist. This command reads Linux's"
				+ " /proc, so it runs on Linux only (in a container it sees the container's network namespace).\n");
	}

	/** Reads until the rows for this test's sockets show: a close on loopback settles within microseconds, but not atomically. */
	private static CommandRun awaitRows(int atLeast, String... args) {
		return Awaitility.await("at least " + atLeast + " rows for " + String.join(" ", args))
			.atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> CommandRun.onThisMachine(args), run -> rows(run).size() >= atLeast);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> object(Object json) {
		return (Map<String, Object>) json;
	}

	private static String thisJvmsCommandLine() {
		try (InputStream in = Files.newInputStream(Path.of("/proc/self/cmdline"))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace('\0', ' ').strip();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static List<String> rows(CommandRun run) {
		return run.out().lines().filter(line -> line.matches("  [A-Z_0-9]+ +\\S+ -> .*")).toList();
	}
}
