/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An older JUnit than the extension supports gets a message naming the version to pick. */
class JunitVersionTests {

	@Test
	void aJupiterWithoutTheMarkerTypeIsNamedWithTheVersionNeeded() {
		assertThat(JunitVersion.unsupported(name -> false, JunitVersion.JUPITER_MARKER, "JUnit Jupiter", "5.7.2"))
			.hasValue("nolinger needs JUnit 5.8 or later (JUnit Platform 1.8 or later); this run has JUnit Jupiter 5.7.2."
					+ " Import a newer org.junit:junit-bom, or set nolinger.enabled=false to run without the check.");
	}

	@Test
	void theMarkersArePresentInThisRun() throws Exception {
		// The markers must name real types, or every run would be refused.
		Class.forName(JunitVersion.JUPITER_MARKER);
		Class.forName(JunitVersion.LAUNCHER_MARKER);
		assertThat(JunitVersion.unsupportedJupiter()).isEmpty();
		assertThat(JunitVersion.launcherSupported()).isTrue();
	}

	@Test
	void aPresentMarkerIsSupported() {
		assertThat(JunitVersion.unsupported(name -> name.equals(JunitVersion.JUPITER_MARKER), JunitVersion.JUPITER_MARKER,
				"JUnit Jupiter", "5.8.2")).isEmpty();
	}
}
