/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

/**
 * What checking cost this JVM, for the suite summary: the time {@link Check} spent reading and
 * judging (grace waits left out: a clean test waits for none), and, where the run read the whole
 * table although a cheaper path exists on this platform, why it did not take it.
 *
 * @param nanos time spent in snapshots and observations
 * @param fasterPath why the netlink source was not used, naming what to add; empty where it was, or
 *        where {@code /proc} was asked for
 */
record CheckCost(long nanos, String fasterPath) {

	static final CheckCost NONE = new CheckCost(0, "");

	private static final LongAdder NANOS = new LongAdder();

	private static final AtomicReference<String> FASTER_PATH = new AtomicReference<>("");

	/** Adds the time since {@code startNanos} ({@link System#nanoTime()}) to this JVM's total. */
	static void spentSince(long startNanos) {
		NANOS.add(System.nanoTime() - startNanos);
	}

	/** Remembers why this run reads the whole table where a faster path exists. */
	static void fasterPathNotTaken(String why) {
		FASTER_PATH.set(why);
	}

	/** This JVM's cost since the last call; the faster path is kept, as the source is. */
	static CheckCost take() {
		return new CheckCost(NANOS.sumThenReset(), FASTER_PATH.get());
	}

	/** The cost of two JVMs, or two sessions of one. */
	CheckCost plus(CheckCost other) {
		return new CheckCost(this.nanos + other.nanos, this.fasterPath.isEmpty() ? other.fasterPath : this.fasterPath);
	}

	/** {@code 41.2 ms in all, 0.14 ms per test}. */
	String describe(int tests) {
		double millis = this.nanos / 1e6;
		return String.format(Locale.ROOT, "%.1f ms in all, %.3f ms per test", millis, tests == 0 ? 0.0 : millis / tests);
	}

	static @Nullable CheckCost parse(String nanos, String fasterPath) {
		try {
			return new CheckCost(Long.parseLong(nanos), fasterPath);
		}
		catch (NumberFormatException e) {
			return null;
		}
	}
}
