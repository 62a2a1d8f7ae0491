/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Missing, vanishing, empty and unreadable input: a clear message or a documented pass, never a crash. */
class BadInputTests {

	static Path procNet;

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void fdDirectoryThatDoesNotExist(@TempDir Path dir) {
		Path missing = dir.resolve("fd");

		assertThatThrownBy(() -> new OwnershipProcSelfFd(missing).socketInodes())
			.isInstanceOf(SocketTableException.class)
			.hasMessage("cannot list " + missing + ": it does not exist");
	}

	@Test
	void fdLinksAreReadForSocketsOnly(@TempDir Path fd) throws Exception {
		Files.createSymbolicLink(fd.resolve("3"), Path.of("socket:[4140]"));
		Files.createSymbolicLink(fd.resolve("4"), Path.of("anon_inode:[eventpoll]"));
		Files.createSymbolicLink(fd.resolve("5"), Path.of("pipe:[77]"));
		Files.createSymbolicLink(fd.resolve("6"), Path.of("socket:[12]"));

		assertThat(new OwnershipProcSelfFd(fd).socketInodes()).containsExactlyInAnyOrder(4140L, 12L);
	}

	@Test
	void malformedFdLinkIsNamed(@TempDir Path fd) throws Exception {
		Files.createSymbolicLink(fd.resolve("3"), Path.of("socket:[12x]"));

		assertThatThrownBy(() -> new OwnershipProcSelfFd(fd).socketInodes())
			.hasMessage("unexpected link " + fd.resolve("3") + " -> socket:[12x]");
	}

	/** As root the permission check is real only for another user, so the probe runs as nobody. */
	@Test
	void fdDirectoryWithoutPermission() throws Exception {
		boolean root = "root".equals(System.getProperty("user.name"));
		assumeTrue(root && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv to become nobody");
		Path classes = Path.of(FdProbeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		assumeTrue(NobodyAccess.canLoadFrom(classes), "nobody cannot read " + classes + " here");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process probe = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", java,
				"-cp", classesDirectories(), FdProbeMain.class.getName(), "/proc/1/fd")
			.redirectErrorStream(true)
			.start();
		assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
		String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assumeTrue(!output.contains("ClassNotFoundException") && !output.contains("Could not find or load main class"),
				"the classes are not readable by nobody here: " + output);

		assertThat(output).isEqualTo("cannot list /proc/1/fd: permission denied; nolinger needs it to tell this JVM's"
				+ " sockets from other processes'");
		assertThat(probe.exitValue()).isEqualTo(3);
	}

	@Test
	void tableThatDisappearsDuringTheTestFailsItClearly(@TempDir Path dir) throws Exception {
		procNet = copyOfTheRealTable(dir);

		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.proc.net", procNet.toString())
			// The fixture touches no socket, so by default the check would rightly not read the table again.
			.configurationParameter(NoLingeringSocketsExtension.READ_ALWAYS_KEY, "true")
			.selectors(selectClass(TableVanishesTestCases.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, event(test("tableVanishes"), finishedWithFailure(message(
					"nolinger could not check TableVanishesTestCases.tableVanishes(): cannot read " + procNet.resolve("tcp")
							+ ": the file does not exist"))));
	}

	@Test
	void emptyTablePassesAndMissingTcp6IsReadAsNoIpv6(@TempDir Path dir) throws Exception {
		Files.writeString(dir.resolve("tcp"),
				"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
		procNet = dir;

		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.proc.net", dir.toString())
			.selectors(selectClass(LeakyTestCases.class))
			.execute()
			.testEvents()
			.assertStatistics(stats -> stats.succeeded(1).failed(0));
	}

	@Test
	void zeroByteTableFailsClearly(@TempDir Path dir) throws Exception {
		Files.writeString(dir.resolve("tcp"), "");

		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.proc.net", dir.toString())
			.selectors(selectClass(LeakyTestCases.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, event(test("leaks"), finishedWithFailure(message("nolinger could not check LeakyTestCases.leaks(): "
					+ dir.resolve("tcp") + " is empty; expected at least its header line"))));
	}

	private static Path copyOfTheRealTable(Path dir) throws IOException {
		for (String file : List.of("tcp", "tcp6")) {
			Files.write(dir.resolve(file), Files.readAllBytes(Path.of("/proc/net", file)));
		}
		return dir;
	}

	private static String classesDirectories() {
		return String.join(":", List.of(System.getProperty("java.class.path").split(":"))
			.stream()
			.filter(entry -> entry.endsWith("classes"))
			.toList());
	}

	@NoLingeringSockets
	static class TableVanishesTestCases {

		@Test
		void tableVanishes() throws IOException {
			Files.delete(procNet.resolve("tcp"));
		}
	}

	@NoLingeringSockets
	static class LeakyTestCases {

		@Test
		void leaks() {
			LoopbackConnections.serverNeverCloses();
		}
	}
}
