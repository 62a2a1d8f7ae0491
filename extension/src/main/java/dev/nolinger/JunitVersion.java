/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * The oldest JUnit nolinger runs on, and a clear message for an older one. Many suites pin JUnit
 * through a framework's BOM; without this check they would meet a {@code NoSuchMethodError} deep
 * in a listener instead of being told which version to pick.
 */
final class JunitVersion {

	/** The oldest supported JUnit Jupiter; CI runs the sample tests on it. */
	static final String OLDEST_JUPITER = "5.8";

	/** The oldest supported JUnit Platform, released with {@value #OLDEST_JUPITER}. */
	static final String OLDEST_PLATFORM = "1.8";

	/** A Jupiter API type that first shipped in {@value #OLDEST_JUPITER}. */
	static final String JUPITER_MARKER = "org.junit.jupiter.api.ClassOrderer";

	/**
	 * A launcher type that first shipped in Platform {@value #OLDEST_PLATFORM}: the suite summary
	 * needs it, and {@code TestPlan.getConfigurationParameters()} of the same release.
	 */
	static final String LAUNCHER_MARKER = "org.junit.platform.launcher.LauncherSessionListener";

	private JunitVersion() {
	}

	/** Why this run's Jupiter is too old for the extension, or empty when it is not. */
	static Optional<String> unsupportedJupiter() {
		return Jupiter.UNSUPPORTED;
	}

	/** Looked up once per JVM, at the first check. */
	private static final class Jupiter {

		static final Optional<String> UNSUPPORTED = unsupported(JunitVersion::present, JUPITER_MARKER, "JUnit Jupiter",
				version(org.junit.jupiter.api.extension.ExtensionContext.class));
	}

	/** Whether the launcher the summary listener runs in is recent enough. */
	static boolean launcherSupported() {
		return present(LAUNCHER_MARKER);
	}

	static Optional<String> unsupported(Predicate<String> present, String marker, String what, String found) {
		if (present.test(marker)) {
			return Optional.empty();
		}
		return Optional.of(Messages.unsupportedJunit(OLDEST_JUPITER, OLDEST_PLATFORM, what + " " + found));
	}

	private static String version(Class<?> type) {
		Package pack = type.getPackage();
		String version = pack == null ? null : pack.getImplementationVersion();
		return version == null ? "(version unknown)" : version;
	}

	private static boolean present(String className) {
		try {
			Class.forName(className, false, JunitVersion.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError e) {
			return false;
		}
	}
}
