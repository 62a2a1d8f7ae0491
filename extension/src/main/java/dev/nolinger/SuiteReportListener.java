/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints one summary when a launcher session in which {@code @NoLingeringSockets} checked tests
 * ends, and writes {@code report.json} and {@code report.md} to {@value #REPORT_DIR_KEY}
 * (default {@code target/nolinger}). The launcher finds it through {@code ServiceLoader} as a
 * test execution listener, which collects each checked test; {@link SuiteReportSessionListener}
 * prints when the session closes. The two are separate classes so that a launcher older than
 * Platform 1.8, which has no session listeners, can still load this one.
 *
 * <p>Surefire runs each test class of a fork as its own execution within one session, so the
 * summary comes once per fork, at its end; an IDE's run is one session.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class SuiteReportListener implements TestExecutionListener {

	/** Configuration parameter naming the report directory: {@value}. */
	public static final String REPORT_DIR_KEY = "nolinger.report.dir";

	/** What this JVM checked since the last summary; the two listener roles are separate instances. */
	private static final List<SuiteReport.Test> CHECKED = new ArrayList<>();

	/** Where the code to fix this JVM's failed sockets is, since the last summary. */
	private static final List<SuiteReportGithub.Annotation> ANNOTATIONS = new ArrayList<>();

	private static @Nullable Path reportDirectory;

	/** Reads an environment variable; tests stand in for the environment of a CI run. */
	static volatile Function<String, @Nullable String> environment = System::getenv;

	/** Creates the listener; the launcher calls this. */
	public SuiteReportListener() {
	}

	@Override
	public void testPlanExecutionStarted(TestPlan testPlan) {
		if (!JunitVersion.launcherSupported()) {
			// The extension says so at its first check; TestPlan.getConfigurationParameters() is missing here.
			return;
		}
		Path directory = Path.of(testPlan.getConfigurationParameters().get(REPORT_DIR_KEY).orElse("target/nolinger"));
		synchronized (CHECKED) {
			reportDirectory = directory;
		}
	}

	@Override
	public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
		SuiteReportRecords.TestRecord record = SuiteReportRecords.take(identifier.getUniqueId());
		NotJudged.Pending notJudged = SuiteReportRecords.takeNotJudged(identifier.getUniqueId());
		List<SuiteReportGithub.Annotation> annotations = SuiteReportRecords.takeAnnotations(identifier.getUniqueId());
		// An aborted test (a failed assumption) ran its callbacks but counts as skipped in every
		// report; counting it as checked made the summary say one more test than ran.
		if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
			return;
		}
		List<SuiteReport.Unjudged> unjudged = notJudged == null ? List.of() : notJudged.sockets();
		List<String> alongside = notJudged == null ? List.of() : notJudged.ranAlongside();
		SuiteReport.Test test;
		if (record != null) {
			List<SuiteReport.Socket> sockets = record.findings().stream().map(SuiteReport.Socket::of).toList();
			test = new SuiteReport.Test(identifier.getUniqueId(), record.name(), record.tolerance(), record.failed(), sockets,
					record.inBaseline(), unjudged.size(), unjudged, alongside);
		}
		else if (notJudged != null) {
			// A class whose own findings were all left unjudged reports nothing else, and was not counted at all.
			test = new SuiteReport.Test(identifier.getUniqueId(), notJudged.name(), notJudged.tolerance(), false, List.of(), 0,
					unjudged.size(), unjudged, alongside);
		}
		else {
			return;
		}
		synchronized (CHECKED) {
			test = withoutListedByItsTests(test);
			if (record != null || test.notJudged() > 0) {
				CHECKED.add(test);
			}
			ANNOTATIONS.addAll(annotations);
		}
	}

	/**
	 * The class's unjudged sockets without those one of its tests already listed as unjudged:
	 * a class judges what its tests did not, so a test's unjudged socket comes to the class
	 * again (and fails it when no other class ran alongside); listed twice, it would be counted
	 * twice. Its tests end before it, in this JVM, so they are in {@link #CHECKED}.
	 */
	private static SuiteReport.Test withoutListedByItsTests(SuiteReport.Test test) {
		if (test.unjudged().isEmpty() || !SuiteReport.isClass(test)) {
			return test;
		}
		java.util.Set<String> listed = new java.util.HashSet<>();
		for (SuiteReport.Test inside : CHECKED) {
			if (inside.uniqueId().startsWith(test.uniqueId() + "/")) {
				inside.unjudged().forEach(s -> listed.add(s.state() + " " + s.local() + " " + s.remote()));
			}
		}
		List<SuiteReport.Unjudged> left = test.unjudged().stream()
			.filter(s -> !listed.contains(s.state() + " " + s.local() + " " + s.remote()))
			.toList();
		return left.size() == test.unjudged().size() ? test
				: new SuiteReport.Test(test.uniqueId(), test.name(), test.tolerance(), test.failed(), test.sockets(),
						test.passedByBaseline(), left.size(), left, test.ranAlongside());
	}

	private static SuiteReport.Test withFates(SuiteReport.Test test) {
		List<SuiteReport.Socket> sockets = test.sockets().stream()
			.map(s -> s.withFate(SuiteReportRecords.fate(SuiteReportRecords.watchKey(s.state(), s.local(), s.remote()))))
			.toList();
		return new SuiteReport.Test(test.uniqueId(), test.name(), test.tolerance(), test.failed(), sockets,
				test.passedByBaseline(), test.notJudged(), test.unjudged(), test.ranAlongside());
	}

	/**
	 * Prints the summary of what this JVM checked since the last one, and adds it to the report
	 * files. In GitHub Actions, it also annotates the lines to fix: each JVM those of the tests it
	 * ran, as every Surefire fork prints a summary and none knows whether it is the last; and
	 * the job summary gets the run's report, merged so far.
	 */
	static void sessionClosed() {
		SuiteReport own;
		Path directory;
		List<TcpSocket> held;
		List<SuiteReportGithub.Annotation> annotations;
		Function<String, @Nullable String> environment = SuiteReportListener.environment;
		synchronized (CHECKED) {
			if (CHECKED.isEmpty()) {
				return;
			}
			held = SuiteReportRecords.lookAgainAtTheEnd();
			List<SuiteReport.Test> tests = new ArrayList<>();
			for (SuiteReport.Test test : CHECKED) {
				tests.add(test.failed() ? withFates(test) : test);
			}
			SuiteReportRecords.forgetWatched();
			own = new SuiteReport(tests, CheckCost.take());
			CHECKED.clear();
			annotations = List.copyOf(ANNOTATIONS);
			ANNOTATIONS.clear();
			directory = reportDirectory == null ? Path.of("target/nolinger") : reportDirectory;
		}
		String stepSummary = environment.apply("GITHUB_STEP_SUMMARY");
		try {
			SuiteReport run = SuiteReportFiles.write(directory, own,
					stepSummary == null || stepSummary.isEmpty() ? null : Path.of(stepSummary));
			System.out.println(run.consoleSummary(directory.resolve("report.md").toString()));
			if (!held.isEmpty()) {
				System.out.println(Messages.stillHeldAtTheEnd(held));
			}
		}
		catch (IOException | RuntimeException e) {
			System.err.println("nolinger: could not write the report to " + directory + ": " + e);
			System.out.println(own.consoleSummary("(not written)"));
		}
		SuiteReportGithub.commands(annotations, environment, Path.of("")).forEach(System.out::println);
	}
}
