/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * What each checked test left, handed from the extension to {@link SuiteReportListener}. The
 * two meet only in this JVM-wide map, keyed by the test's unique ID: the launcher's listeners
 * cannot see an extension's store.
 */
final class SuiteReportRecords {

	/** One checked test. */
	record TestRecord(String name, int tolerance, boolean failed, List<Finding> findings, int inBaseline) {
	}

	private static final Map<String, TestRecord> RECORDS = new ConcurrentHashMap<>();

	private SuiteReportRecords() {
	}

	static void record(String uniqueId, TestRecord record) {
		RECORDS.put(uniqueId, record);
	}

	static @Nullable TestRecord take(String uniqueId) {
		return RECORDS.remove(uniqueId);
	}
}
