/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

/**
 * Markers of source lines, computed at run time where a fixture opens a socket, so the tests
 * never hard-code the line numbers nolinger must print.
 */
final class SourceLine {

	private SourceLine() {
	}

	/** The frame of the line that calls this method. */
	static StackTraceElement here() {
		return new Throwable().getStackTrace()[1];
	}

	/** The frame of the line that called into {@code helper}: the innermost frame outside it. */
	static StackTraceElement callerOf(Class<?> helper) {
		StackTraceElement[] stack = new Throwable().getStackTrace();
		for (int i = 1; i < stack.length; i++) {
			if (!stack[i].getClassName().equals(helper.getName())) {
				return stack[i];
			}
		}
		throw new IllegalStateException("no caller of " + helper.getName());
	}

	/** The frame as a stack trace prints it, without module or loader: {@code pkg.Class.method(File.java:NN)}. */
	static String text(StackTraceElement frame) {
		return frame.getClassName() + "." + frame.getMethodName() + "(" + frame.getFileName() + ":"
				+ frame.getLineNumber() + ")";
	}

	/** The frame as a message names it: {@code File.java:NN}. */
	static String fileAndLine(StackTraceElement frame) {
		return frame.getFileName() + ":" + frame.getLineNumber();
	}
}
