/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The frames of a recorded stack worth showing: the JDK's own and nolinger's are trimmed, a few
 * are kept from the innermost, and the innermost frame in the test's own class always.
 */
final class LedgerFrames {

	/** How many frames a row shows, the test's own frame aside. */
	static final int KEPT = 4;

	private static final String[] JDK_PACKAGES = { "java.", "javax.", "jdk.", "sun.", "com.sun." };

	/** The classes that run between the JDK's socket code and the ledger's capture of the stack. */
	private static final Set<String> NOLINGER_CLASSES = Set.of("dev.nolinger.Ledger", "dev.nolinger.LedgerEvents",
			"dev.nolinger.LedgerSocket", "dev.nolinger.LedgerAgent", "dev.nolinger.LedgerAgentSink",
			"dev.nolinger.LedgerBridge", "dev.nolinger.LedgerHooks", "dev.nolinger.LedgerLineage");

	private LedgerFrames() {
	}

	/**
	 * The frames to show, innermost first; a null element stands for frames left out between the
	 * kept ones and the test's own frame.
	 *
	 * @param testClasses the test's own classes, by name: its class, superclasses and, for a
	 *     {@code @Nested} class, the classes it sits in; empty when unknown
	 */
	static List<@Nullable StackTraceElement> shown(StackTraceElement[] stack, List<String> testClasses) {
		List<StackTraceElement> useful = useful(stack, testClasses);
		List<@Nullable StackTraceElement> shown = new ArrayList<>(useful.subList(0, Math.min(KEPT, useful.size())));
		int own = ownFrame(useful, testClasses);
		if (own >= KEPT) {
			if (own > KEPT) {
				shown.add(null);
			}
			shown.add(useful.get(own));
		}
		return shown;
	}

	/**
	 * The frame a one-line pointer names: the innermost in the test's own class, else the
	 * innermost useful one; null for an empty stack.
	 */
	static @Nullable StackTraceElement anchor(StackTraceElement[] stack, List<String> testClasses) {
		List<StackTraceElement> useful = useful(stack, testClasses);
		int own = ownFrame(useful, testClasses);
		return own >= 0 ? useful.get(own) : useful.isEmpty() ? null : useful.get(0);
	}

	/** The innermost frame of the test's own classes, or null when the stack holds none. */
	static @Nullable StackTraceElement own(StackTraceElement[] stack, List<String> testClasses) {
		for (StackTraceElement frame : stack) {
			if (isOwn(frame, testClasses)) {
				return frame;
			}
		}
		return null;
	}

	/** A stack trace for the error that starts at {@code frame}, so an IDE's click lands on it. */
	static StackTraceElement[] forError(StackTraceElement[] stack, StackTraceElement frame) {
		for (int i = 0; i < stack.length; i++) {
			if (stack[i].equals(frame)) {
				return Arrays.copyOfRange(stack, i, stack.length);
			}
		}
		return forError(stack);
	}

	/**
	 * A stack trace for the error: the recorded stack from its first frame outside the JDK and
	 * nolinger, so an IDE's click lands in the code that opened the socket.
	 */
	static StackTraceElement[] forError(StackTraceElement[] stack) {
		for (int i = 0; i < stack.length; i++) {
			if (!isJdk(stack[i]) && !isNolinger(stack[i])) {
				return Arrays.copyOfRange(stack, i, stack.length);
			}
		}
		return withoutNolinger(stack).toArray(StackTraceElement[]::new);
	}

	/** A frame as stack traces print it, without module or loader, which IDEs and Surefire link. */
	static String text(StackTraceElement frame) {
		String where;
		if (frame.isNativeMethod()) {
			where = "Native Method";
		}
		else if (frame.getFileName() == null) {
			where = "Unknown Source";
		}
		else {
			where = frame.getLineNumber() >= 0 ? frame.getFileName() + ":" + frame.getLineNumber() : frame.getFileName();
		}
		return frame.getClassName() + "." + frame.getMethodName() + "(" + where + ")";
	}

	/** {@code File.java:NN}, as a fix names a line. */
	static String fileAndLine(StackTraceElement frame) {
		String file = frame.getFileName() == null ? frame.getClassName() : frame.getFileName();
		return frame.getLineNumber() >= 0 ? file + ":" + frame.getLineNumber() : file;
	}

	/**
	 * The frames outside the JDK and nolinger, up to the outermost in the test's own class (its
	 * callers are the test framework's); when there are none (a JDK thread, such as the HTTP
	 * client's selector), the JDK's frames, so the thread still shows what it ran.
	 */
	private static List<StackTraceElement> useful(StackTraceElement[] stack, List<String> testClasses) {
		List<StackTraceElement> useful = new ArrayList<>();
		int outermostOwn = -1;
		for (StackTraceElement frame : stack) {
			if (!isJdk(frame) && !isNolinger(frame)) {
				useful.add(frame);
				if (isOwn(frame, testClasses)) {
					outermostOwn = useful.size() - 1;
				}
			}
		}
		if (outermostOwn >= 0) {
			return useful.subList(0, outermostOwn + 1);
		}
		return useful.isEmpty() ? withoutNolinger(stack) : useful;
	}

	private static List<StackTraceElement> withoutNolinger(StackTraceElement[] stack) {
		List<StackTraceElement> frames = new ArrayList<>();
		for (StackTraceElement frame : stack) {
			if (!isNolinger(frame)) {
				frames.add(frame);
			}
		}
		return frames;
	}

	private static int ownFrame(List<StackTraceElement> frames, List<String> testClasses) {
		for (int i = 0; i < frames.size(); i++) {
			if (isOwn(frames.get(i), testClasses)) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * A frame of the test's own classes (its class, the superclasses its test method may come from,
	 * the classes a {@code @Nested} class sits in), their lambdas or the classes nested in them.
	 */
	private static boolean isOwn(StackTraceElement frame, List<String> testClasses) {
		String name = frame.getClassName();
		for (String testClass : testClasses) {
			if (name.startsWith(testClass)
					&& (name.length() == testClass.length() || name.charAt(testClass.length()) == '$')) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a stack captured as a thread was created shows the test's own code creating it with
	 * nothing between: past nolinger's capture and {@code Thread}'s construction, a run of the
	 * test's own frames and then, outward, no frame of the test's own classes again (the callers
	 * are the test framework's), so no executor, pool, event loop, thread factory or other class
	 * stands between the test's code and the new thread.
	 *
	 * @param onMadeThread the stack was captured on a thread the test's code itself made: then the
	 *     frames outward of the test's own must be that thread's entry ({@code Thread.run}) and
	 *     nothing else, so that the creating thread ran the test's own code from its start
	 */
	static boolean createdDirectly(StackTraceElement[] stack, List<String> testClasses, boolean onMadeThread) {
		int i = 0;
		while (i < stack.length && (isNolinger(stack[i]) || isThreadConstruction(stack[i].getClassName()))) {
			i++;
		}
		int ownStart = i;
		while (i < stack.length && isOwn(stack[i], testClasses)) {
			i++;
		}
		if (i == ownStart) {
			return false;
		}
		for (; i < stack.length; i++) {
			if (onMadeThread ? !isThreadEntry(stack[i].getClassName()) : isOwn(stack[i], testClasses)) {
				return false;
			}
		}
		return true;
	}

	/** {@code Thread}'s constructors and builders, and the inheritance of thread locals they run. */
	private static boolean isThreadConstruction(String name) {
		return isThreadEntry(name) || name.equals("java.lang.ThreadLocal") || name.startsWith("java.lang.ThreadLocal$")
				|| name.equals("java.lang.InheritableThreadLocal") || name.startsWith("java.lang.ThreadBuilders");
	}

	/** A thread's entry: {@code Thread.run}, a virtual thread's start and its continuation. */
	private static boolean isThreadEntry(String name) {
		return name.equals("java.lang.Thread") || name.startsWith("java.lang.Thread$")
				|| name.equals("java.lang.VirtualThread") || name.startsWith("java.lang.VirtualThread$")
				|| name.equals("java.lang.BaseVirtualThread") || name.equals("jdk.internal.vm.Continuation");
	}

	static boolean isJdk(StackTraceElement frame) {
		String name = frame.getClassName();
		for (String prefix : JDK_PACKAGES) {
			if (name.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * nolinger's frames in a recorded stack: the ledger's entry points and the agent's bridge,
	 * always the innermost. Named exactly, so a user's class in the same package stays.
	 */
	static boolean isNolinger(StackTraceElement frame) {
		String name = frame.getClassName();
		int nested = name.indexOf('$');
		return NOLINGER_CLASSES.contains(nested < 0 ? name : name.substring(0, nested));
	}
}
