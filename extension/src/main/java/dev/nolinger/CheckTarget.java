/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The test or class a window judges, as its messages and records name it.
 *
 * @param id its unique ID
 * @param name how messages name it: {@code OrderIT.placesOrder()}, {@code class OrderIT}
 * @param ownClasses the classes whose frames are its own (see {@link #ownClasses(Class)})
 * @param reportEntries publishes a report entry on it (Surefire's XML, IDEs)
 */
record CheckTarget(String id, String name, List<String> ownClasses, Consumer<Map<String, String>> reportEntries) {

	/**
	 * The classes whose frames are the test's own: its class and superclasses, and for a
	 * {@code @Nested} (inner) class, the classes it sits in.
	 */
	static List<String> ownClasses(@Nullable Class<?> testClass) {
		return testClass == null ? List.of() : OWN_CLASSES.get(testClass);
	}

	/** {@link #ownClasses(Class)} of each test class, worked out once: every test of the class asks. */
	private static final ClassValue<List<String>> OWN_CLASSES = new ClassValue<>() {
		@Override
		protected List<String> computeValue(Class<?> testClass) {
			return ownClassesOf(testClass);
		}
	};

	private static List<String> ownClassesOf(Class<?> testClass) {
		List<String> names = new ArrayList<>();
		for (Class<?> type = testClass; type != null;
				type = Modifier.isStatic(type.getModifiers()) ? null : type.getEnclosingClass()) {
			for (Class<?> level = type; level != null && level != Object.class; level = level.getSuperclass()) {
				names.add(level.getName());
			}
		}
		return List.copyOf(names);
	}

	/**
	 * Hands what the check found to the report entries (every finding, also those within the
	 * tolerance, reaches Surefire's XML and IDEs) and to the suite report.
	 *
	 * @param passedByBaseline how many sockets the baseline excused in a test that passed only thanks to it
	 */
	void report(CheckSettings settings, List<Finding> findings, boolean failed, int passedByBaseline) {
		if (!findings.isEmpty()) {
			this.reportEntries.accept(Messages.reportEntry(findings));
		}
		SuiteReportRecords.record(this.id, new SuiteReportRecords.TestRecord(this.name, settings.tolerance(), failed,
				findings, passedByBaseline));
	}
}
