/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Path;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * A child JVM as a build tool starts one: it runs an annotated test through the launcher with the
 * extension's logger at {@code CONFIG}, so its standard error shows which source was chosen and
 * anything the JDK warns about. Prints {@code succeeded N of M} at the end, and the message of each
 * failure. An argument sets {@code nolinger.source}.
 */
final class NativeAccessMain {

	private NativeAccessMain() {
	}

	public static void main(String[] args) {
		Logger logger = Logger.getLogger(NoLingeringSocketsExtension.class.getName());
		ConsoleHandler handler = new ConsoleHandler();
		handler.setLevel(Level.CONFIG);
		logger.addHandler(handler);
		logger.setLevel(Level.CONFIG);
		SummaryGeneratingListener summary = new SummaryGeneratingListener();
		// A report of its own: children of one test JVM are one run to the suite report, which merges their parts.
		LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
			.selectors(selectClass(CleanTestCases.class))
			.configurationParameter(SuiteReportListener.REPORT_DIR_KEY, reportDirectory().toString());
		if (args.length > 0) {
			request.configurationParameter("nolinger.source", args[0]);
		}
		LauncherFactory.create().execute(request.build(), summary);
		System.out.println("succeeded " + summary.getSummary().getTestsSucceededCount() + " of "
				+ summary.getSummary().getTestsStartedCount());
		summary.getSummary().getFailures().forEach(failure -> System.out.println("failed: " + failure.getException()));
	}

	/** Under the module's {@code target}: some children run with a temporary directory that does not exist. */
	private static Path reportDirectory() {
		return Path.of("target", "nolinger-child-reports", String.valueOf(ProcessHandle.current().pid()));
	}

	static class CleanTestCases {

		@Test
		@NoLingeringSockets
		void opensAndClosesAConnection() {
			LoopbackConnections.cleanlyClosed();
		}
	}
}
