/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;

/**
 * Where a finding's report entry ends up. Surefire 3.5 drops JUnit report entries: its XML reports
 * of this module hold no {@code nolinger.*} entry (docs/suite-report.md says so). JUnit's own XML report,
 * the one the Console Launcher and Gradle-style tooling write, keeps them in the test's
 * {@code system-out}; this reads such a report of a real leak.
 */
class ReportEntriesTests {

	@AfterEach
	void closeLeaks() throws Exception {
		Leaks.closeAll();
	}

	@Test
	void junitsOwnXmlReportCarriesTheFindings(@TempDir Path reports) throws Exception {
		LauncherFactory.create()
			.execute(LauncherDiscoveryRequestBuilder.request()
				.selectors(selectClass(LeakyTestCases.class))
				.configurationParameter("nolinger.grace", FixtureRun.FAST_GRACE)
				.configurationParameter("nolinger.report.dir", reports.resolve("nolinger").toString())
				.build(), new LegacyXmlReportGeneratingListener(reports, new PrintWriter(new StringWriter())));
		LeakedConnection leak = Leaks.takeOnly();

		List<Path> xml;
		try (Stream<Path> files = Files.list(reports)) {
			xml = files.filter(f -> f.getFileName().toString().endsWith(".xml")).toList();
		}
		assertThat(xml).hasSize(1);
		assertThat(Files.readString(xml.get(0), StandardCharsets.UTF_8))
			.contains("nolinger.lingering: 2")
			.containsPattern("nolinger\\.socket\\.\\d: CLOSE_WAIT server end \\S+:" + leak.server().getPort() + " -> \\S+:"
					+ leak.client().getPort() + " \\(rule 1: inode \\d+ is an open fd of this JVM\\)");
	}

	@NoLingeringSockets
	static class LeakyTestCases {

		@Test
		void leaks() throws Exception {
			Leaks.leakWhileListening(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4_ONLY);
		}
	}
}
