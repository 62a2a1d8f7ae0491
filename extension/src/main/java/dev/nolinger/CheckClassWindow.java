/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * One test class's window, from before its {@code @BeforeAll} methods to after its
 * {@code @AfterAll} methods. Its judgement counts only the sockets no check of a test (or of a
 * nested class) already reported, so a class fails for what its fixtures left.
 */
final class CheckClassWindow {

	private final CheckRun run;
	private final CheckTarget type;
	private final CheckSettings settings;
	private final CheckSnapshot snapshot;
	private final boolean exclusive;

	private CheckClassWindow(CheckRun run, CheckTarget type, CheckSettings settings, CheckSnapshot snapshot,
			boolean exclusive) {
		this.run = run;
		this.type = type;
		this.settings = settings;
		this.snapshot = snapshot;
		this.exclusive = exclusive;
	}

	/**
	 * Snapshots the table before the class and opens its window; null when the table cannot be
	 * read or the settings are invalid: each test's own check reports the same error, naming the
	 * test, and the class goes unchecked.
	 *
	 * @param annotation the annotation nearest to the class, null for a globally registered check
	 */
	static @Nullable CheckClassWindow open(CheckRun run, CheckTarget type, @Nullable NoLingeringSockets annotation) {
		try {
			CheckSettings settings = run.settings(annotation);
			Check check = run.check();
			if (!check.source().isAvailable()) {
				return null;
			}
			// Opened before the snapshot, as a test's window is (CheckTestWindow.open).
			run.concurrency().open(type.id());
			try {
				return new CheckClassWindow(run, type, settings, check.snapshot(settings.states()), annotation != null);
			}
			catch (SocketTableException | RuntimeException e) {
				run.concurrency().close(type.id());
				throw e;
			}
		}
		catch (ExtensionConfigurationException | SocketTableException e) {
			return null;
		}
	}

	/** Judges the class and closes its window; throws {@link LingeringSocketsError} when the class fails. */
	void close() throws SocketTableException {
		try {
			judge();
		}
		catch (SocketTableException e) {
			throw new SocketTableException(Messages.unreadableTable(this.type.name(), e), e);
		}
		finally {
			this.run.concurrency().close(this.type.id());
		}
	}

	private void judge() throws SocketTableException {
		Check check = this.run.check();
		String classId = this.type.id();
		if (this.run.configuration().writeBaseline()) {
			List<Finding> findings = this.run.notAccounted(check.findingsToRecord(this.snapshot, this.settings, classId));
			this.run.baselineWriter().record(classId, findings);
			this.run.account(findings);
			if (!findings.isEmpty()) {
				this.type.report(this.settings, findings, false, 0);
			}
			return;
		}
		BaselineFile known = this.run.baselineFile();
		BaselinePorts ephemeral = this.run.ephemeralPorts();
		CheckVerdict verdict = check.judge(this.snapshot, this.settings,
				findings -> known.beyond(classId, this.run.notAccounted(findings), ephemeral), classId);
		int others = this.exclusive ? 0 : this.run.concurrency().overlapped(classId);
		if (others > 0 && !verdict.findings().isEmpty()) {
			verdict = CheckConcurrency.provenOnly(this.type, this.settings,
					new CheckVerdict(this.run.notAccounted(verdict.findings()), verdict.beyond(), verdict.failed()),
					this.run.concurrency().overlappedWith(classId));
		}
		List<Finding> own = this.run.notAccounted(verdict.findings());
		// An outer class that ends after its nested one does not report the nested one's sockets again.
		this.run.account(own);
		if (!own.isEmpty()) {
			this.type.report(this.settings, own, verdict.failed(), 0);
		}
		if (verdict.failed()) {
			throw CheckFailure.of(this.type, this.settings, verdict.beyond(), own.size() - verdict.beyond().size(),
					this.run.configuration());
		}
	}
}
