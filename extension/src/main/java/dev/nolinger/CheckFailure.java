/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.nio.file.Path;
import java.util.List;

/** The error that fails a test or class: its message and, when traced, its stack naming where the socket to fix was opened. */
final class CheckFailure {

	private CheckFailure() {
	}

	/**
	 * The error for the sockets {@code beyond} the tolerance, which the suite report watches
	 * from now on to tell a leak from a late close, and annotates in CI where the fix is. Called
	 * on the thread whose {@link CheckGrace} wait judged them, right after it.
	 *
	 * @param inBaseline the sockets the baseline file allowed, which the message notes
	 */
	static LingeringSocketsError of(CheckTarget target, CheckSettings settings, List<Finding> beyond, int inBaseline,
			CheckConfiguration configuration) {
		long now = System.nanoTime();
		// The wait that judged it ran on this thread just now: its sockets were there at its last read.
		CheckGrace.Waited waited = CheckGrace.lastWait();
		SuiteReportRecords.watch(beyond, waited == null ? now : waited.began(), waited == null ? now : waited.lastRead());
		SuiteReportRecords.annotate(target.id(), SuiteReportGithub.annotations(target, beyond, settings.grace()));
		boolean tracing = LedgerEvents.tracing();
		LingeringSocketsError error = new LingeringSocketsError(Messages.lingering(target.name(), target.ownClasses(),
				settings.tolerance(), settings.grace(), beyond, inBaseline, configuration.baseline().map(Path::toString).orElse(""),
				tracing), beyond.size());
		error.setStackTrace(Messages.errorStack(beyond, target.ownClasses(), tracing));
		return error;
	}
}
