/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import org.apiguardian.api.API;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts linking the native calls when a launcher session opens, and prints the suite summary when it ends: once per Surefire fork, once per IDE
 * run. The launcher finds it through {@code ServiceLoader}; {@link SuiteReportListener} collects.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class SuiteReportSessionListener implements LauncherSessionListener {

	/** Creates the listener; the launcher calls this. */
	public SuiteReportSessionListener() {
	}

	/** Starts the one-time native linking, so that the first checked test does not wait for all of it. */
	@Override
	public void launcherSessionOpened(LauncherSession session) {
		SocketTableSources.linkInTheBackground();
	}

	@Override
	public void launcherSessionClosed(LauncherSession session) {
		SuiteReportListener.sessionClosed();
	}
}
