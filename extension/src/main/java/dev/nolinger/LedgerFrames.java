/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The frames of a recorded stack worth showing. A row of a traced failure shows at most two
 * frames per event, each frame once in the whole message: where a library touched the socket
 * (or the connection pool it went through) and the innermost line of the test's own classes.
 * The frames in between are the library's, which a user cannot change and which made a traced
 * two-row failure about 48 lines long; the error's stack trace is the fix's line and its callers
 * in the test's classes, so the click lands there and the test framework's frames are left out.
 */
final class LedgerFrames {

	/** How many frames the error's stack keeps when no frame is the test's own. */
	static final int KEPT = 4;

	private static final String[] JDK_PACKAGES = { "java.", "javax.", "jdk.", "sun.", "com.sun." };

	/** The classes that run between the JDK's socket code and the ledger's capture of the stack. */
	private static final Set<String> NOLINGER_CLASSES = Set.of("dev.nolinger.Ledger", "dev.nolinger.LedgerEvents",
			"dev.nolinger.LedgerSocket", "dev.nolinger.LedgerAgent", "dev.nolinger.LedgerAgentSink",
			"dev.nolinger.LedgerBridge", "dev.nolinger.LedgerHooks", "dev.nolinger.LedgerLineage");

	private LedgerFrames() {
	}

	/**
	 * The frames a row shows for one event, innermost first: where a library touched the socket
	 * (the innermost useful frame, or the innermost connection pool frame when the socket was
	 * opened through one: see {@link #pool}), then the innermost frame of the test's own classes.
	 * Only the one frame when the two are the same, or when the stack holds none of the test's
	 * (a library's thread: the row then says where that thread or its server was started).
	 *
	 * @param testClasses the test's own classes, by name: its class, superclasses and, for a
	 *     {@code @Nested} class, the classes it sits in; empty when unknown
	 */
	static List<StackTraceElement> shown(StackTraceElement[] stack, List<String> testClasses) {
		List<StackTraceElement> useful = useful(stack, testClasses);
		if (useful.isEmpty()) {
			return List.of();
		}
		Pool pool = pool(stack, testClasses);
		StackTraceElement library = pool != null ? pool.frame() : innermostOfALibrary(useful);
		int own = ownFrame(useful, testClasses);
		List<StackTraceElement> shown = new ArrayList<>();
		if (own < 0 || !library.equals(useful.get(own))) {
			shown.add(library);
		}
		if (own >= 0) {
			shown.add(useful.get(own));
		}
		return shown;
	}

	/**
	 * The innermost useful frame; on a thread that runs only the JDK's code, the innermost frame
	 * of a JDK library (the HTTP client's {@code jdk.internal.net.http}, the HTTP server's
	 * {@code sun.net.httpserver}) rather than the socket internals under it.
	 */
	private static StackTraceElement innermostOfALibrary(List<StackTraceElement> useful) {
		StackTraceElement first = useful.get(0);
		if (!isJdk(first)) {
			return first;
		}
		for (StackTraceElement frame : useful) {
			String name = frame.getClassName();
			if (!name.startsWith("java.") && !name.startsWith("sun.nio.") && !name.startsWith("jdk.internal.misc.")) {
				return frame;
			}
		}
		return first;
	}

	/**
	 * A connection pool that the frames which opened a socket went through.
	 *
	 * @param name the pool's class, without its package: {@code PoolingHttpClientConnectionManager}
	 * @param frame the frame that shows it: the pool's own, or that of the class holding it
	 * @param holder the class, without its package, whose frame opened the socket for the pool it
	 *     holds ({@code ConnectPlan}, for OkHttp's {@code RealConnectionPool}); null when the
	 *     pool's own frame is on the stack
	 */
	record Pool(String name, StackTraceElement frame, @Nullable String holder) {

		/** {@code PoolingHttpClientConnectionManager opened it}, {@code ConnectPlan opened it for its RealConnectionPool}. */
		String opened() {
			return this.holder == null ? this.name + " opened it, and keeps it" : this.holder + " opened it for its " + this.name
					+ ", which keeps it";
		}
	}

	/**
	 * The connection pool that the stack which opened a socket went through, or null: the innermost
	 * frame of a pool, else the innermost frame whose class holds one in a field.
	 *
	 * <p>A frame is a pool's when its class's simple name says {@code Pool}, {@code Pooled} or
	 * {@code Pooling} (Apache HttpClient's {@code PoolingHttpClientConnectionManager}, Jetty's
	 * {@code DuplexConnectionPool}, HikariCP's {@code HikariPool}, commons-pool's
	 * {@code GenericObjectPool}, the JDK's {@code jdk.internal.net.http.ConnectionPool}), unless
	 * it names a pool of threads, buffers or tasks ({@code ThreadPoolExecutor},
	 * {@code ForkJoinPool}, {@code PooledByteBufAllocator}), which every executor thread's stack
	 * holds, or is one of the test's own classes.
	 *
	 * <p>Some clients look into their pool, find no connection, and connect from a class of their
	 * own that puts the new connection into the pool afterwards: no pool frame is on the stack.
	 * Such a class holds the pool in a field (OkHttp's {@code ConnectPlan} holds its
	 * {@code RealConnectionPool}), so a library frame whose class has an instance field of a pool
	 * class, by the same words, says the same. Only instance fields: a static one is a cache of
	 * the whole library, such as a recycler of objects, not the pool of this client. The classes
	 * are looked up by name, without initializing them, in the context class loader of the thread
	 * that writes the message, which is the test's; one that does not resolve says nothing.
	 *
	 * <p>Why names and no list of classes: libraries rename their pool classes, and a list of
	 * them rots; "pool" is the one word they all keep. Why no behavioural signal, such as the
	 * connection being reused by a later test: reuse shows only when a later test happens to
	 * make the same request, and the ledger records no reads or writes. What a wrong guess costs:
	 * only the wording of the row and of the {@code Fix:} (close or evict the pool rather than
	 * close the socket at a line), never whether or which test fails. What it misses: a client
	 * that connects where no frame holds its pool (the JDK {@code HttpClient} connects from
	 * classes that hold only the client; Reactor Netty connects on its event loop); those read as
	 * before.
	 */
	static @Nullable Pool pool(StackTraceElement[] stack, List<String> testClasses) {
		int outermostOwn = -1;
		for (int i = 0; i < stack.length; i++) {
			outermostOwn = isOwn(stack[i], testClasses) ? i : outermostOwn;
		}
		// The frames below the test's own are the test framework's, and a test class's callers' names say nothing.
		int end = outermostOwn < 0 ? stack.length : outermostOwn;
		for (int i = 0; i < end; i++) {
			StackTraceElement frame = stack[i];
			if (isNolinger(frame) || isOwn(frame, testClasses)) {
				continue;
			}
			String name = frame.getClassName();
			if (isConnectionPool(name.substring(name.lastIndexOf('.') + 1))) {
				return new Pool(simpleClass(frame), frame, null);
			}
		}
		ClassLoader loader = Thread.currentThread().getContextClassLoader();
		for (int i = 0; i < end; i++) {
			StackTraceElement frame = stack[i];
			if (isNolinger(frame) || isOwn(frame, testClasses) || isJdk(frame)) {
				continue;
			}
			Optional<String> held = heldPool(frame.getClassName(), loader);
			if (held.isPresent()) {
				return new Pool(held.get(), frame, simpleClass(frame));
			}
		}
		return null;
	}

	private static boolean isConnectionPool(String simpleName) {
		return simpleName.contains("Pool") && !NOT_CONNECTION_POOL.matcher(simpleName).find();
	}

	/** The simple name of the connection pool class an instance field of {@code className} holds, if any. */
	private static Optional<String> heldPool(String className, @Nullable ClassLoader loader) {
		try {
			return HELD_POOL.get(Class.forName(className, false, loader));
		}
		catch (ClassNotFoundException | LinkageError | SecurityException e) {
			return Optional.empty();
		}
	}

	/** {@link #heldPool} per class, worked out once; a {@link ClassValue}, so it goes with its class loader. */
	private static final ClassValue<Optional<String>> HELD_POOL = new ClassValue<>() {
		@Override
		protected Optional<String> computeValue(Class<?> type) {
			try {
				for (Class<?> level = type; level != null && level != Object.class; level = level.getSuperclass()) {
					for (Field field : level.getDeclaredFields()) {
						Class<?> held = field.getType();
						String simple = held.getSimpleName();
						if (!Modifier.isStatic(field.getModifiers()) && !held.isPrimitive() && !held.isArray()
								&& isConnectionPool(simple)) {
							return Optional.of(simple);
						}
					}
				}
			}
			catch (LinkageError | SecurityException e) {
				// A field's type that does not resolve: the class says nothing.
			}
			return Optional.empty();
		}
	};

	/** Pools of something other than connections, by the words in their names. */
	private static final java.util.regex.Pattern NOT_CONNECTION_POOL = java.util.regex.Pattern
		.compile("Thread|ForkJoin|Executor|Worker|Task|Buf|Allocat|Memory|Arena");

	/** The frame's class without its package: {@code PoolingHttpClientConnectionManager}. */
	static String simpleClass(StackTraceElement frame) {
		String name = frame.getClassName();
		String simple = name.substring(name.lastIndexOf('.') + 1);
		int nested = simple.indexOf('$');
		return nested > 0 ? simple.substring(0, nested) : simple;
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

	/**
	 * A stack trace for the error that starts at {@code frame}, so an IDE's click lands on it, and
	 * ends at the outermost frame of the test's own classes: the frames below are the test
	 * framework's, and say nothing about the fix.
	 */
	static StackTraceElement[] forError(StackTraceElement[] stack, StackTraceElement frame, List<String> testClasses) {
		for (int i = 0; i < stack.length; i++) {
			if (stack[i].equals(frame)) {
				return upToOutermostOwn(Arrays.copyOfRange(stack, i, stack.length), testClasses);
			}
		}
		return forError(stack, testClasses);
	}

	/**
	 * A stack trace for the error: the recorded stack from its innermost frame of the test's own
	 * classes, else from its first frame outside the JDK and nolinger (at most {@link #KEPT}
	 * frames), so an IDE's click lands on the user's line, or in the code that opened the socket.
	 */
	static StackTraceElement[] forError(StackTraceElement[] stack, List<String> testClasses) {
		StackTraceElement own = own(stack, testClasses);
		if (own != null) {
			return forError(stack, own, testClasses);
		}
		for (int i = 0; i < stack.length; i++) {
			if (!isJdk(stack[i]) && !isNolinger(stack[i])) {
				return Arrays.copyOfRange(stack, i, Math.min(stack.length, i + KEPT));
			}
		}
		List<StackTraceElement> jdk = withoutNolinger(stack);
		return jdk.subList(0, Math.min(jdk.size(), KEPT)).toArray(StackTraceElement[]::new);
	}

	private static StackTraceElement[] upToOutermostOwn(StackTraceElement[] stack, List<String> testClasses) {
		int outermost = -1;
		for (int i = 0; i < stack.length; i++) {
			if (isOwn(stack[i], testClasses)) {
				outermost = i;
			}
		}
		return outermost < 0 ? stack : Arrays.copyOfRange(stack, 0, outermost + 1);
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
