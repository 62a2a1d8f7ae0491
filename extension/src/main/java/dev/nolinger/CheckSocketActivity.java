/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.OptionalLong;

/**
 * How many TCP sockets this JVM has opened or closed so far, where something counts them: the
 * seam for the socket ledger, whose agent sees every JDK socket open and close (its
 * {@code tracing()} says whether it is on). A check that skips a read requires the count to be
 * unchanged since the read it relies on, so a socket opened and closed between two fd scans,
 * which leaves no trace in {@code /proc/self/fd}, still makes the check read where the ledger can
 * attribute what it left behind.
 */
@FunctionalInterface
interface CheckSocketActivity {

	/** Nothing counts opens and closes: {@code /proc/self/fd} alone decides. */
	CheckSocketActivity UNTRACED = OptionalLong::empty;

	/** The running count of opens and closes, or empty while nothing traces them. */
	OptionalLong openedOrClosed();
}
