/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;

import dev.nolinger.noise.BackgroundJvm;
import org.junit.jupiter.api.Test;

/**
 * A default run prints no warning: on Java 22+ the restricted FFM methods are called only where
 * native access is enabled, and the faster netlink source is used exactly then; on Java 17 to 21
 * the jar's JNI library makes the same calls, with no flag, and where it cannot load the check
 * reads {@code /proc} and says why. Each test starts a child JVM with the options a build tool
 * would pass.
 */
class NativeAccessTests {

	private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

	@Test
	void withoutTheFlagTheRunIsQuietAndReadsProc() throws Exception {
		assumeTrue(Runtime.version().feature() >= SocketTableSources.NETLINK_MIN_JAVA, "the FFM API is Java 22's");

		List<String> output = run(List.of());

		assertThat(output).as("the child's output").noneMatch(line -> line.contains("WARNING"));
		assertThat(output).contains("succeeded 1 of 1");
		assertThat(output).anyMatch(line -> line.equals("CONFIG: nolinger: reading the socket table from /proc/net/tcp"
				+ " and tcp6; netlink is unavailable: native access is not enabled for the class path; add"
				+ " --enable-native-access=ALL-UNNAMED to the test JVM's options (Surefire: <argLine>, Gradle: jvmArgs)"
				+ " for the faster netlink source"));
		assertThat(output).as("the summary says what to add, once, as plain text")
			.containsOnlyOnce("  faster path:  not taken, so tests that hold connections read the whole socket table: native"
					+ " access is not enabled for the class path; add --enable-native-access=ALL-UNNAMED to the test JVM's"
					+ " options (Surefire: <argLine>, Gradle: jvmArgs) for the faster netlink source");
	}

	@Test
	void withTheFlagTheRunUsesNetlink() throws Exception {
		assumeTrue(Runtime.version().feature() >= SocketTableSources.NETLINK_MIN_JAVA, "the FFM API is Java 22's");

		List<String> output = run(List.of("--enable-native-access=ALL-UNNAMED"));

		assertThat(output).as("the child's output").noneMatch(line -> line.contains("WARNING"));
		assertThat(output).contains("succeeded 1 of 1");
		assertThat(output).contains("CONFIG: nolinger: reading the socket table through netlink sock_diag (FFM, fd scan in "
				+ SocketTableSourcesTests.jniLibrary() + ")");
		assertThat(output).anyMatch(line -> line.startsWith("  cost:         the checks took "))
			.noneMatch(line -> line.contains("faster path"));
	}

	@Test
	void onJava22ALibraryThatCannotBeCopiedLeavesTheFdScanToOneDowncallPerFdQuietly() throws Exception {
		assumeTrue(Runtime.version().feature() >= SocketTableSources.NETLINK_MIN_JAVA, "the FFM API is Java 22's");

		List<String> output = run(List.of("--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=/nonexistent/nolinger"));

		// Java 25 itself warns of the missing directory, which this test makes up; nolinger adds nothing.
		assertThat(output).as("the child's output")
			.noneMatch(line -> line.contains("WARNING") && !line.equals("WARNING: java.io.tmpdir directory does not exist"));
		assertThat(output).contains("succeeded 1 of 1");
		assertThat(output).anyMatch(line -> line.startsWith("CONFIG: nolinger: the fd scan makes one statx downcall per fd,"
				+ " as the jar's library for it is unavailable: cannot copy the native library to /nonexistent/nolinger: "));
		assertThat(output).contains("CONFIG: nolinger: reading the socket table through netlink sock_diag (FFM)");
	}

	@Test
	void beforeJava22TheJniLibraryGivesNetlinkWithNoFlag() throws Exception {
		assumeTrue(Runtime.version().feature() < SocketTableSources.NETLINK_MIN_JAVA, "Java 22+ uses FFM");

		List<String> output = run(List.of());

		assertThat(output).as("the child's output").noneMatch(line -> line.contains("WARNING"));
		assertThat(output).contains("succeeded 1 of 1");
		assertThat(output).contains("CONFIG: nolinger: reading the socket table through netlink sock_diag (JNI, "
				+ SocketTableSourcesTests.jniLibrary() + ")");
	}

	@Test
	void aLibraryThatCannotBeCopiedFallsBackToProcQuietly() throws Exception {
		assumeTrue(Runtime.version().feature() < SocketTableSources.NETLINK_MIN_JAVA, "Java 22+ uses FFM");

		List<String> output = run(List.of("-Djava.io.tmpdir=/nonexistent/nolinger"));

		assertThat(output).as("the child's output").noneMatch(line -> line.contains("WARNING"));
		assertThat(output).contains("succeeded 1 of 1");
		assertThat(output).anyMatch(line -> line.startsWith("CONFIG: nolinger: reading the socket table from /proc/net/tcp"
				+ " and tcp6; netlink is unavailable: cannot copy the native library to /nonexistent/nolinger: "));
	}

	@Test
	void netlinkAskedForWhereItIsUnavailableFailsTheTestAndSaysWhy() throws Exception {
		boolean ffm = Runtime.version().feature() >= SocketTableSources.NETLINK_MIN_JAVA;
		// Without native access on Java 22+; with a temporary directory that does not exist before.
		List<String> output = run(ffm ? List.of() : List.of("-Djava.io.tmpdir=/nonexistent/nolinger"), "netlink");

		assertThat(output).as("the child's output").noneMatch(line -> line.contains("WARNING"));
		assertThat(output).contains("succeeded 0 of 1");
		String why = ffm
				? "native access is not enabled for the class path; add --enable-native-access=ALL-UNNAMED to the test"
						+ " JVM's options (Surefire: <argLine>, Gradle: jvmArgs) for the faster netlink source"
				: "cannot copy the native library to /nonexistent/nolinger: ";
		assertThat(output).anyMatch(line -> line.startsWith("failed: "
				+ "org.junit.jupiter.api.extension.ExtensionConfigurationException: nolinger cannot read the socket table"
				+ " through netlink, as nolinger.source=netlink asks: " + why));
	}

	@Test
	void javaSeventeenAcceptsTheFlagTheReadmeShows() throws Exception {
		// The README's Surefire snippet passes the flag on every Java; a JVM that refused it would not start.
		List<String> output = run(List.of("--enable-native-access=ALL-UNNAMED"));

		assertThat(output).contains("succeeded 1 of 1");
		assertThat(output).noneMatch(line -> line.contains("WARNING"));
	}

	private static List<String> run(List<String> jvmOptions, String... args) throws Exception {
		try (BackgroundJvm child = BackgroundJvm.start(jvmOptions, NativeAccessMain.class, args)) {
			return child.finish(CHILD_TIMEOUT);
		}
	}
}
