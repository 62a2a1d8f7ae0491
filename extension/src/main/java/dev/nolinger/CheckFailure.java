/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The error that fails a test or class: its message and, when traced, its stack naming where the socket to fix was opened. */
final class CheckFailure {

	private CheckFailure() {
	}

	/**
	 * The error for the sockets {@code beyond} the tolerance, which the suite report watches
	 * from now on to tell a leak from a late close, and annotates in CI where the fix is.
	 *
	 * @param inBaseline the sockets the baseline file allowed, which the message notes
	 */
	static LingeringSocketsError of(CheckTarget target, CheckSettings settings, List<Finding> beyond, int inBaseline,
			CheckConfiguration configuration) {
		SuiteReportRecords.watch(beyond, System.nanoTime());
		SuiteReportRecords.annotate(target.id(), SuiteReportGithub.annotations(target, beyond));
		boolean tracing = LedgerEvents.tracing();
		LingeringSocketsError error = new LingeringSocketsError(Messages.lingering(target.name(), target.ownClasses(),
				settings.tolerance(), settings.grace(), beyond, inBaseline,
				configuration.baseline().map(Path::toString).orElse(""), tracing), beyond.size());
		error.setStackTrace(stack(beyond, tracing));
		return error;
	}

	/**
	 * The error's own stack: traced, where the socket the message's fix names was opened (else
	 * the first traced one), so an IDE's click lands in the code that opened it, as Netty's leak
	 * records do. Untraced, none: the frames that threw, the extension's and JUnit's, help nobody.
	 */
	private static StackTraceElement[] stack(List<Finding> findings, boolean tracing) {
		if (tracing) {
			List<Finding> sorted = Messages.inOrder(findings);
			List<Finding> candidates = new ArrayList<>(Messages.toFix(sorted));
			candidates.addAll(sorted);
			for (Finding finding : candidates) {
				if (finding.traced() != null && finding.traced().opened().stack() != null) {
					return LedgerFrames.forError(finding.traced().opened().stack().getStackTrace());
				}
			}
		}
		return new StackTraceElement[0];
	}
}
