/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.List;

/**
 * One test's window, from before its {@code @BeforeEach} methods to after its {@code @AfterEach}
 * methods: the snapshot taken when it opens, and the judgement when it closes. The judgement
 * fails the test for its sockets beyond the tolerance that the baseline file does not allow,
 * and, when other checked tests ran alongside, only for those the ledger proves its own.
 */
final class CheckTestWindow {

	private final CheckRun run;
	private final CheckTarget test;
	private final CheckSettings settings;
	private final CheckSnapshot snapshot;
	private final boolean exclusive;

	private CheckTestWindow(CheckRun run, CheckTarget test, CheckSettings settings, CheckSnapshot snapshot,
			boolean exclusive) {
		this.run = run;
		this.test = test;
		this.settings = settings;
		this.snapshot = snapshot;
		this.exclusive = exclusive;
	}

	/**
	 * Opens the test's window and snapshots the table before the test.
	 *
	 * <p>The window opens before the snapshot is read, so that every test whose sockets changed
	 * after that read counts as overlapping: its window was open at some moment between this
	 * snapshot and this test's read after it, since a test changes sockets only inside its own
	 * window. Opened after the read, a test that leaked and closed its window in between, while
	 * this thread was descheduled, would not count, and this test would be failed for its leak.
	 *
	 * @param exclusive annotated, so the test holds JUnit's global lock and nothing else runs alongside
	 */
	static CheckTestWindow open(CheckRun run, CheckTarget test, CheckSettings settings, boolean exclusive)
			throws SocketTableException {
		run.concurrency().open(test.id());
		CheckSnapshot snapshot;
		boolean read = false;
		try {
			snapshot = run.check().snapshot(settings.states(), test.id());
			read = true;
		}
		catch (SocketTableException e) {
			throw new SocketTableException(Messages.unreadableTable(test.name(), e), e);
		}
		finally {
			if (!read) {
				run.concurrency().close(test.id());
			}
		}
		// The ledger marks what this thread opens and closes from here on as this test's.
		Ledger.INSTANCE.testStarted(test.id());
		return new CheckTestWindow(run, test, settings, snapshot, exclusive);
	}

	/** Judges the test and closes its window; throws {@link LingeringSocketsError} when the test fails. */
	void close() throws SocketTableException {
		try {
			judge();
		}
		catch (SocketTableException e) {
			throw new SocketTableException(Messages.unreadableTable(this.test.name(), e), e);
		}
		finally {
			this.run.concurrency().close(this.test.id());
			Ledger.INSTANCE.testFinished();
		}
	}

	private void judge() throws SocketTableException {
		Check check = this.run.check();
		String testId = this.test.id();
		if (this.run.configuration().writeBaseline()) {
			List<Finding> findings = check.findingsToRecord(this.snapshot, this.settings, testId);
			this.run.baselineWriter().record(testId, findings);
			report(findings, false, 0);
			return;
		}
		BaselineFile known = this.run.baselineFile();
		BaselinePorts ephemeral = this.run.ephemeralPorts();
		CheckVerdict verdict = check.judge(this.snapshot, this.settings,
				findings -> known.beyond(testId, findings, ephemeral), testId);
		// An annotated test holds the global lock: windows of classes waiting for it are not activity.
		int others = this.exclusive ? 0 : this.run.concurrency().overlapped(testId);
		if (others > 0 && !verdict.findings().isEmpty()) {
			verdict = CheckConcurrency.provenOnly(this.test, this.settings, verdict, this.run.concurrency().overlappedWith(testId));
		}
		report(verdict.findings(), verdict.failed(),
				verdict.failed() || verdict.findings().size() <= this.settings.tolerance() ? 0 : verdict.inBaseline());
		if (verdict.failed()) {
			throw CheckFailure.of(this.test, this.settings, verdict.beyond(), verdict.inBaseline(),
					this.run.configuration());
		}
	}

	private void report(List<Finding> findings, boolean failed, int passedByBaseline) {
		this.run.account(findings);
		this.test.report(this.settings, findings, failed, passedByBaseline);
	}
}
