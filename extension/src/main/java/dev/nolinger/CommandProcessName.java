/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Optional;
import java.util.Set;

/**
 * A short name for a process in the command's owner column. A JVM's command line starts with a
 * long JDK path and options, so cutting it at a fixed width makes every Surefire fork read the
 * same {@code /usr/lib/jvm/.../bin/java -jar ...}; a JVM is named instead by what tells forks
 * apart: its main class or jar, and its working directory (the pid is printed next to it).
 */
final class CommandProcessName {

	/** Launcher options whose value is the next argument. */
	private static final Set<String> TAKES_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
			"--upgrade-module-path", "--add-modules", "--add-opens", "--add-exports", "--add-reads", "--patch-module",
			"--limit-modules", "--source", "--enable-native-access");

	private CommandProcessName() {
	}

	/**
	 * The name to print: for a JVM, {@code java -jar app.jar}, {@code java com.acme.Main} or
	 * {@code java -m module/Main}, with {@code , in DIRECTORY} when the working directory is known;
	 * any other command line, cut to {@code maxCommand} characters. {@code 0} keeps every command
	 * line whole, JVMs' too: JSON readers get the exact text.
	 */
	static String of(String commandLine, Optional<String> workingDirectory, int maxCommand) {
		if (maxCommand == 0) {
			return commandLine;
		}
		Optional<String> jvm = jvmMain(commandLine);
		if (jvm.isPresent()) {
			return "java " + jvm.get() + workingDirectory.map(d -> ", in " + d).orElse("");
		}
		if (maxCommand > 0 && commandLine.length() > maxCommand) {
			return commandLine.substring(0, maxCommand - 3) + "...";
		}
		return commandLine;
	}

	/** What a JVM runs: {@code -jar NAME.jar}, the main class, or {@code -m MODULE}; empty for anything else. */
	static Optional<String> jvmMain(String commandLine) {
		String[] args = commandLine.split(" ");
		if (args.length == 0 || !(args[0].equals("java") || args[0].endsWith("/java"))) {
			return Optional.empty();
		}
		for (int i = 1; i < args.length; i++) {
			String arg = args[i];
			if ((arg.equals("-jar") || arg.equals("-m") || arg.equals("--module")) && i + 1 < args.length) {
				String value = args[i + 1];
				return Optional.of((arg.equals("-jar") ? "-jar " : "-m ") + (arg.equals("-jar") ? fileName(value) : value));
			}
			if (TAKES_VALUE.contains(arg)) {
				i++;
			}
			else if (!arg.isEmpty() && !arg.startsWith("-") && !arg.startsWith("@")) {
				return Optional.of(arg.endsWith(".java") ? fileName(arg) : arg);
			}
		}
		return Optional.empty();
	}

	private static String fileName(String path) {
		return path.substring(path.lastIndexOf('/') + 1);
	}
}
