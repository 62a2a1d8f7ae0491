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
 * native access is enabled, and the faster netlink source is used exactly then. Each test starts
 * a child JVM with the options a build tool would pass.
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
	}

	@Test
	void withTheFlagTheRunUsesNetlink() throws Exception {
		assumeTrue(Runtime.version().feature() >= SocketTableSources.NETLINK_MIN_JAVA, "the FFM API is Java 22's");

		List<String> output = run(List.of("--enable-native-access=ALL-UNNAMED"));

		assertThat(output).as("the child's output").noneMatch(line -> line.contains("WARNING"));
		assertThat(output).contains("succeeded 1 of 1");
		assertThat(output).contains("CONFIG: nolinger: reading the socket table through netlink sock_diag");
	}

	@Test
	void javaSeventeenAcceptsTheFlagTheReadmeShows() throws Exception {
		// The README's Surefire snippet passes the flag on every Java; a JVM that refused it would not start.
		List<String> output = run(List.of("--enable-native-access=ALL-UNNAMED"));

		assertThat(output).contains("succeeded 1 of 1");
		assertThat(output).noneMatch(line -> line.contains("WARNING"));
	}

	private static List<String> run(List<String> jvmOptions) throws Exception {
		try (BackgroundJvm child = BackgroundJvm.start(jvmOptions, NativeAccessMain.class)) {
			return child.finish(CHILD_TIMEOUT);
		}
	}
}
