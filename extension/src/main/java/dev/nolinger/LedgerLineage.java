/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Where a thread came from: the test (or class fixture) during which it was created, on that
 * test's thread or on a thread created that way, and the stack that created it. A socket opened
 * on a library's thread (a server's acceptor, a client's selector) has only library frames; its
 * thread's lineage leads to the user's line that started the server or built the client.
 *
 * <p>The mechanism is an {@link InheritableThreadLocal}: the extension sets a {@link #root} on
 * the test's thread for the length of the test or class fixture, and the JDK calls
 * {@link #childValue} on the creating thread, inside the new {@link Thread}'s constructor (for
 * virtual threads too, unless built with {@code inheritInheritableThreadLocals(false)}). No agent
 * hook is needed, and it is safe:
 *
 * <ul>
 * <li>It changes no socket and no thread behaviour: it adds one entry to the thread's inherited
 * map, and {@code childValue} never throws (a failure gives the thread no lineage).</li>
 * <li>It costs only while a test runs: outside a test the test thread holds no entry, and a
 * thread created by a thread whose test has ended gets none, at the price of one volatile read.
 * A test that creates no thread pays nothing. A creation during a test pays one stack capture,
 * whose frames are resolved only when a message shows them: {@code LineageBenchmark} measured
 * about 1.1 µs more per {@code new Thread} 10 frames deep and 2.6 µs 100 frames deep (a test's
 * usual depth) on Java 25, 1.4 and 2.8 µs on Java 17 (a loaded 2-core machine); starting a
 * thread costs tens of microseconds.</li>
 * <li>Memory stays bounded: a lineage holds at most two captured stacks (its own creation and
 * the first link of its chain, created on the test's thread), and its thread only weakly, taken
 * at the thread's first socket event (so creating a thread costs nothing more); it lives in the
 * inherited maps of live threads and in the ledger's bounded records, and at most
 * {@link #PER_TEST} threads per test get one.</li>
 * <li>Threads created with inheritance off ({@code new Thread(group, task, name, 0, false)})
 * inherit nothing: the JDK's {@code HttpClient} creates its selector and worker threads so, and
 * its constructor starts the selector thread on the building thread without any socket event
 * there. For them the agent hooks {@code Thread.start}, which runs on the starting thread: while
 * a test runs, it hands the starting thread's lineage, with the stack that starts the thread, to
 * the started one ({@link #starting}), kept beside the thread, weakly, until the thread is
 * collected. A thread that also inherited keeps what it inherited. Untraced runs have no hook,
 * and such threads carry no lineage there. The hook changes nothing in how a thread starts: it
 * returns at once when no test runs (one map read), never throws, and costs a thread started
 * during a test one more stack capture, as {@link #childValue} does.</li>
 * <li>By itself it never decides who is blamed: a thread started by an earlier test (a shared
 * pool started lazily) carries that test's lineage, which a message shows as where the thread
 * came from. Only a thread the test's own code made itself, with nothing between, whose whole
 * life lay inside the test, proves a socket the test's while others run
 * ({@link CheckConcurrency#provenOwnByThread}, which says why).</li>
 * </ul>
 */
final class LedgerLineage {

	/**
	 * At most this many threads per test carry a lineage, and as many more get one at their start
	 * ({@link #starting}): a test that creates virtual threads by the hundred thousand must not hold
	 * as many stacks. The rest go without, as outside tests.
	 */
	static final int PER_TEST = 1_000;

	/** What the test thread holds while a test or class fixture runs. */
	static final class Root {

		final String testId;

		/** Lineages captured for this test so far. */
		final AtomicInteger captured = new AtomicInteger();

		/** Lineages handed to threads at their start for this test so far, bounded alike. */
		final AtomicInteger handedAtStart = new AtomicInteger();

		/** The value the thread held before, restored when this test ends. */
		final @Nullable LedgerLineage previous;

		volatile boolean running = true;

		Root(String testId, @Nullable LedgerLineage previous) {
			this.testId = testId;
			this.previous = previous;
		}
	}

	private static final InheritableThreadLocal<LedgerLineage> CURRENT = new InheritableThreadLocal<>() {
		@Override
		protected @Nullable LedgerLineage childValue(@Nullable LedgerLineage parent) {
			if (parent == null || !parent.root.running || parent.root.captured.incrementAndGet() > PER_TEST) {
				return null;
			}
			try {
				return new LedgerLineage(parent.root, new LedgerSocket.Trace(), parent.origin(), parent.depth + 1);
			}
			catch (Throwable e) {
				// Inside a Thread's constructor: never fail the application's thread creation.
				return null;
			}
		}
	};

	/** The roots of the tests and class fixtures running now, by unique ID. */
	private static final Map<String, Root> RUNNING = new ConcurrentHashMap<>();

	/**
	 * The lineages {@link #starting} handed to threads at their start, by thread, held weakly: a
	 * thread made without inheriting gets its lineage here.
	 */
	private static final Map<Thread, LedgerLineage> STARTED = Collections.synchronizedMap(new WeakHashMap<>());

	final Root root;

	/** Where the thread was created: null for a root, the test's own thread. */
	final LedgerSocket.@Nullable Trace created;

	/** The first link of the chain, created on the test's own thread; null when this is it. */
	final @Nullable LedgerLineage first;

	/** Links from the test's own thread: 0 for it, 1 for a thread it created, 2 for one that thread created. */
	final int depth;

	/** Whether {@link #starting} made it, from the stack that started the thread rather than the one that created it. */
	private final boolean atStart;

	/**
	 * The thread that carries this lineage, once it reported a socket: held weakly, so that the
	 * check can tell whether it has ended without keeping it. Set on that thread, at its first
	 * socket event, never at its creation (where {@link #childValue} does not know the new thread).
	 */
	private volatile @Nullable WeakReference<Thread> thread;

	private LedgerLineage(Root root, LedgerSocket.@Nullable Trace created, @Nullable LedgerLineage first, int depth) {
		this(root, created, first, depth, false);
	}

	private LedgerLineage(Root root, LedgerSocket.@Nullable Trace created, @Nullable LedgerLineage first, int depth,
			boolean atStart) {
		this.root = root;
		this.created = created;
		this.first = first;
		this.depth = depth;
		this.atStart = atStart;
	}

	/**
	 * The agent's hook on {@code Thread.start}, on the thread that starts {@code thread}: while a
	 * test runs, hands the current thread's lineage on to it, in case it was made without
	 * inheriting it. Never throws; without a running test it returns at once.
	 */
	static void starting(Thread thread) {
		if (RUNNING.isEmpty() || thread == Thread.currentThread()) {
			return;
		}
		try {
			LedgerLineage parent = current();
			if (parent == null || !parent.root.running || parent.root.handedAtStart.incrementAndGet() > PER_TEST) {
				return;
			}
			STARTED.put(thread, new LedgerLineage(parent.root, new LedgerSocket.Trace(), parent.origin(), parent.depth + 1, true));
		}
		catch (Throwable e) {
			// Inside Thread.start: never fail the application's thread.
		}
	}

	/** The current thread's lineage: inherited, else handed to it at its start; null for none. */
	private static @Nullable LedgerLineage current() {
		LedgerLineage inherited = CURRENT.get();
		if (inherited != null || STARTED.isEmpty()) {
			return inherited;
		}
		return STARTED.get(Thread.currentThread());
	}

	/** The first link of this thread's chain, or null when this thread is the test's own. */
	private @Nullable LedgerLineage origin() {
		return this.created == null ? null : this.first != null ? this.first : this;
	}

	/** The test (or class) the current thread runs from now on: threads it creates inherit it. */
	static void started(String testId) {
		LedgerLineage previous = CURRENT.get();
		Root root = new Root(testId, previous);
		RUNNING.put(testId, root);
		CURRENT.set(new LedgerLineage(root, null, null, 0));
	}

	/**
	 * The test (or class) ended: threads created from now on by the threads it created get no
	 * lineage, and the current thread gets back what it held before, if it holds this test's root.
	 */
	static void finished(String testId) {
		Root root = RUNNING.remove(testId);
		if (root == null) {
			return;
		}
		root.running = false;
		LedgerLineage current = CURRENT.get();
		if (current != null && current.root == root && current.created == null) {
			if (root.previous == null) {
				CURRENT.remove();
			}
			else {
				CURRENT.set(root.previous);
			}
		}
	}

	/**
	 * The lineage of the current thread when it was created during a test; null on the test's own
	 * thread. Called as the thread reports a socket, so the lineage learns which thread carries it.
	 */
	static @Nullable LedgerLineage ofCurrentThread() {
		LedgerLineage lineage = current();
		if (lineage == null || lineage.created == null) {
			return null;
		}
		if (lineage.thread == null) {
			// Each lineage is made for one new thread, by childValue or at its start: this is that thread.
			lineage.thread = new WeakReference<>(Thread.currentThread());
		}
		return lineage;
	}

	/**
	 * Whether the thread that carries this lineage has ended: it reported a socket, and is now no
	 * longer alive (or collected, which only an ended thread can be). False when no socket was
	 * ever reported on it, since the thread is then unknown.
	 */
	boolean threadEnded() {
		WeakReference<Thread> reference = this.thread;
		if (reference == null) {
			return false;
		}
		Thread carrier = reference.get();
		return carrier == null || !carrier.isAlive();
	}

	/**
	 * Whether the test's own code made this thread itself, with nothing between: no executor,
	 * pool, event loop or thread factory of a library or of the JDK, and no thread it did not make
	 * the same way. True only for a thread the test's own thread created (depth 1) whose creating
	 * frames, from the {@code Thread} constructor out to the outermost frame of the test's own
	 * classes, are the test's own classes' and {@code Thread}'s; or for a thread such a thread
	 * created (depth 2), whose creating stack holds nothing but the test's own classes' frames
	 * and {@code Thread}'s, from that thread's entry to the constructor. Deeper chains have a
	 * link whose creation was not kept, so they never qualify. {@link CheckConcurrency} says why
	 * this matters.
	 *
	 * @param ownClasses the test's own classes, as {@link CheckTarget#ownClasses}
	 */
	boolean madeDirectlyByOwnCode(List<String> ownClasses) {
		LedgerSocket.Trace own = this.created;
		// A lineage handed over at a thread's start holds the starting stack, not the creating one: never proof.
		if (own == null || ownClasses.isEmpty() || this.atStart || this.first != null && this.first.atStart) {
			return false;
		}
		if (this.depth == 1) {
			return LedgerFrames.createdDirectly(own.getStackTrace(), ownClasses, false);
		}
		LedgerLineage first = this.first;
		LedgerSocket.Trace firstTrace = first == null ? null : first.created;
		return this.depth == 2 && firstTrace != null && first.depth == 1
				&& LedgerFrames.createdDirectly(own.getStackTrace(), ownClasses, true)
				&& LedgerFrames.createdDirectly(firstTrace.getStackTrace(), ownClasses, false);
	}

	String testId() {
		return this.root.testId;
	}

	/**
	 * The stacks that lead here, this thread's creation first, then the first link's (created on
	 * the test's thread), where the user's line that started it all is.
	 */
	StackTraceElement[][] stacks() {
		LedgerSocket.Trace own = this.created;
		StackTraceElement[] mine = own == null ? new StackTraceElement[0] : own.getStackTrace();
		LedgerLineage first = this.first;
		LedgerSocket.Trace firstTrace = first == null ? null : first.created;
		return firstTrace == null ? new StackTraceElement[][] { mine }
				: new StackTraceElement[][] { mine, firstTrace.getStackTrace() };
	}

	/**
	 * A test's name from its unique ID, as the extension names tests: {@code LeakyTests.leaks()}, or
	 * {@code class LeakyTests} for a class container.
	 */
	static String testName(String uniqueId) {
		String type = "";
		String method = "";
		for (String segment : uniqueId.split("/")) {
			int colon = segment.indexOf(':');
			if (!segment.startsWith("[") || !segment.endsWith("]") || colon < 0) {
				continue;
			}
			String kind = segment.substring(1, colon);
			String value = segment.substring(colon + 1, segment.length() - 1);
			if (kind.equals("class") || kind.equals("nested-class")) {
				type = value.substring(value.lastIndexOf('.') + 1);
				type = type.substring(type.lastIndexOf('$') + 1);
				method = "";
			}
			else if (kind.equals("method") || kind.equals("test-template") || kind.equals("test-factory")) {
				int paren = value.indexOf('(');
				method = (paren < 0 ? value : value.substring(0, paren)) + "()";
			}
		}
		if (method.isEmpty()) {
			return type.isEmpty() ? uniqueId : "class " + type;
		}
		return type.isEmpty() ? method : type + "." + method;
	}
}
