/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apiguardian.api.API;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints one summary at the end of a run in which {@code @NoLingeringSockets} checked tests, and
 * writes {@code report.json} and {@code report.md} to {@value #REPORT_DIR_KEY} (default
 * {@code target/nolinger}). The launcher finds it through {@code ServiceLoader}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class NoLingerSummaryListener implements TestExecutionListener {

	/** Configuration parameter naming the report directory: {@value}. */
	public static final String REPORT_DIR_KEY = "nolinger.report.dir";

	private final List<SuiteReport.Test> tests = new ArrayList<>();

	/** Creates the listener; the launcher calls this. */
	public NoLingerSummaryListener() {
	}

	@Override
	public void testPlanExecutionStarted(TestPlan testPlan) {
		synchronized (this.tests) {
			this.tests.clear();
		}
	}

	@Override
	public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
		SuiteRecords.TestRecord record = SuiteRecords.take(identifier.getUniqueId());
		if (record == null) {
			return;
		}
		List<SuiteReport.Socket> sockets = record.findings().stream().map(SuiteReport.Socket::of).toList();
		synchronized (this.tests) {
			this.tests.add(new SuiteReport.Test(identifier.getUniqueId(), record.name(), record.tolerance(),
					record.failed(), sockets));
		}
	}

	@Override
	public void testPlanExecutionFinished(TestPlan testPlan) {
		SuiteReport own;
		synchronized (this.tests) {
			if (this.tests.isEmpty()) {
				return;
			}
			own = new SuiteReport(this.tests);
		}
		Path directory = Path.of(testPlan.getConfigurationParameters().get(REPORT_DIR_KEY).orElse("target/nolinger"));
		try {
			SuiteReport run = SuiteReportFiles.write(directory, own);
			System.out.println(run.consoleSummary(directory.resolve("report.md").toString()));
		}
		catch (IOException | RuntimeException e) {
			System.err.println("nolinger: could not write the report to " + directory + ": " + e);
			System.out.println(own.consoleSummary("(not written)"));
		}
	}
}
