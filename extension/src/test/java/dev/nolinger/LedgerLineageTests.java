/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which threads carry a test's lineage, and where it says they were created. */
class LedgerLineageTests {

	private static final String TEST = "[engine:junit-jupiter]/[class:p.ServerTests]/[method:leaks()]";

	private static final String CLASS = "[engine:junit-jupiter]/[class:p.ServerTests]";

	@AfterEach
	void finish() {
		LedgerLineage.finished(TEST);
		LedgerLineage.finished(CLASS);
	}

	/** The lineage a thread created here sees on itself, read on that thread. */
	private static @Nullable LedgerLineage ofNewThread() throws InterruptedException {
		AtomicReference<LedgerLineage> seen = new AtomicReference<>();
		Thread thread = new Thread(() -> seen.set(LedgerLineage.ofCurrentThread()), "child"); int line = line();
		created = line;
		thread.start();
		thread.join(10_000);
		return seen.get();
	}

	private static volatile int created;

	private static int line() {
		return new Throwable().getStackTrace()[1].getLineNumber();
	}

	@Test
	void aThreadCreatedWhileATestRunsCarriesTheTestAndTheLineThatCreatedIt() throws Exception {
		LedgerLineage.started(TEST);

		LedgerLineage lineage = ofNewThread();

		assertThat(lineage).isNotNull();
		assertThat(lineage.testId()).isEqualTo(TEST);
		assertThat(LedgerLineage.ofCurrentThread()).as("the test's own thread has no lineage").isNull();
		StackTraceElement[][] stacks = lineage.stacks();
		assertThat(stacks).hasNumberOfRows(1);
		assertThat(LedgerFrames.own(stacks[0], List.of(LedgerLineageTests.class.getName())))
			.satisfies(frame -> assertThat(frame.getLineNumber()).isEqualTo(created));
		assertThat(LedgerFrames.shown(stacks[0], List.of(LedgerLineageTests.class.getName())))
			.as("nolinger's own frames are trimmed").noneMatch(f -> f != null
					&& (f.getClassName().equals("dev.nolinger.LedgerLineage") || f.getClassName().startsWith("dev.nolinger.LedgerLineage$")));
	}

	@Test
	void noThreadCarriesALineageOutsideATestOrAfterIt() throws Exception {
		assertThat(ofNewThread()).isNull();
		LedgerLineage.started(TEST);
		LedgerLineage.finished(TEST);
		assertThat(ofNewThread()).isNull();
	}

	@Test
	void aThreadCreatedByAThreadTheTestCreatedKeepsTheTestAndTheFirstCreationWhileTheTestRuns() throws Exception {
		LedgerLineage.started(TEST);
		ExecutorService pool = Executors.newSingleThreadExecutor(); int poolLine = line();
		try {
			AtomicReference<LedgerLineage> grandchild = new AtomicReference<>();
			pool.submit(() -> {
				Thread thread = new Thread(() -> grandchild.set(LedgerLineage.ofCurrentThread()));
				thread.start();
				thread.join(10_000);
				return null;
			}).get(10, TimeUnit.SECONDS);

			LedgerLineage lineage = grandchild.get();
			assertThat(lineage).isNotNull();
			assertThat(lineage.testId()).isEqualTo(TEST);
			StackTraceElement[][] stacks = lineage.stacks();
			assertThat(stacks).as("its own creation, then the first, on the test's thread").hasNumberOfRows(2);
			assertThat(lineage.first).as("at most two links are held: the chain never grows").isNotNull();
			assertThat(lineage.first.first).isNull();
			// the pool's worker was created at the first submit, on the test's thread
			assertThat(LedgerFrames.own(stacks[1], List.of(LedgerLineageTests.class.getName())).getLineNumber())
				.isEqualTo(poolLine + 3);

			LedgerLineage.finished(TEST);
			AtomicReference<LedgerLineage> later = new AtomicReference<>(lineage);
			pool.submit(() -> {
				Thread thread = new Thread(() -> later.set(LedgerLineage.ofCurrentThread()));
				thread.start();
				thread.join(10_000);
				return null;
			}).get(10, TimeUnit.SECONDS);
			assertThat(later.get()).as("created after the test ended, by a thread it left behind").isNull();
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void aTestInsideAClassFixtureGivesTheClassBackWhenItEnds() throws Exception {
		LedgerLineage.started(CLASS);
		LedgerLineage.started(TEST);
		assertThat(ofNewThread().testId()).isEqualTo(TEST);

		LedgerLineage.finished(TEST);

		assertThat(ofNewThread().testId()).isEqualTo(CLASS);
		LedgerLineage.finished(CLASS);
		assertThat(ofNewThread()).isNull();
	}

	@Test
	void virtualThreadsInheritUnlessTheirBuilderSaysNot() throws Exception {
		org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads");
		LedgerLineage.started(TEST);
		AtomicReference<LedgerLineage> seen = new AtomicReference<>();
		Thread virtual = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class)
			.invoke(null, (Runnable) () -> seen.set(LedgerLineage.ofCurrentThread()));
		virtual.join(10_000);
		assertThat(seen.get()).isNotNull();
		assertThat(seen.get().testId()).isEqualTo(TEST);
	}

	@Test
	void aThreadMadeWithoutInheritingGetsTheLineageOfTheThreadThatStartsItFromTheStartHook() throws Exception {
		LedgerLineage.started(TEST);
		AtomicReference<LedgerLineage> seen = new AtomicReference<>();
		// As the JDK's HttpClient makes its threads: inheritance off.
		Thread thread = new Thread(null, () -> seen.set(LedgerLineage.ofCurrentThread()), "no-inheritance", 0, false);
		// What the agent's hook on Thread.start calls, on the starting thread (untraced here, so called by hand).
		LedgerLineage.starting(thread); int line = line();
		thread.start();
		thread.join(10_000);

		LedgerLineage lineage = seen.get();
		assertThat(lineage).as("handed over at its start").isNotNull();
		assertThat(lineage.testId()).isEqualTo(TEST);
		assertThat(LedgerFrames.own(lineage.stacks()[0], OWN)).satisfies(frame -> assertThat(frame.getLineNumber()).isEqualTo(line));
		assertThat(lineage.madeDirectlyByOwnCode(OWN)).as("a starting stack is no proof of who made the thread").isFalse();
	}

	@Test
	void theStartHookHandsNothingOutsideATestAndLeavesAnInheritedLineageFirst() throws Exception {
		AtomicReference<LedgerLineage> outside = new AtomicReference<>();
		Thread before = new Thread(null, () -> outside.set(LedgerLineage.ofCurrentThread()), "outside", 0, false);
		LedgerLineage.starting(before);
		before.start();
		before.join(10_000);
		assertThat(outside.get()).isNull();

		LedgerLineage.started(TEST);
		AtomicReference<LedgerLineage> seen = new AtomicReference<>();
		Thread inheriting = new Thread(() -> seen.set(LedgerLineage.ofCurrentThread()), "inheriting"); int createdAt = line();
		LedgerLineage.starting(inheriting);
		inheriting.start();
		inheriting.join(10_000);
		assertThat(LedgerFrames.own(seen.get().stacks()[0], OWN))
			.as("the creating stack it inherited, not the starting one")
			.satisfies(frame -> assertThat(frame.getLineNumber()).isEqualTo(createdAt));
		assertThat(seen.get().madeDirectlyByOwnCode(OWN)).isTrue();
	}

	@Test
	void atMostAThousandThreadsPerTestCarryALineage() throws Exception {
		LedgerLineage.started(TEST);
		int carrying = 0;
		for (int i = 0; i < LedgerLineage.PER_TEST + 5; i++) {
			// Unstarted threads: the lineage is taken in the constructor; ofNewThread would start each.
			AtomicReference<LedgerLineage> seen = new AtomicReference<>();
			Thread thread = new Thread(() -> seen.set(LedgerLineage.ofCurrentThread()));
			if (i >= LedgerLineage.PER_TEST - 2) {
				thread.start();
				thread.join(10_000);
				carrying += seen.get() == null ? 0 : 1;
			}
		}
		assertThat(carrying).as("of the last 7 created, only the 2 within the budget").isEqualTo(2);
	}

	private static final List<String> OWN = List.of(LedgerLineageTests.class.getName());

	/** The lineage seen on a thread that {@code make} makes and starts, after it ended. */
	private static LedgerLineage seenOn(java.util.function.Function<Runnable, Thread> make) throws Exception {
		AtomicReference<LedgerLineage> seen = new AtomicReference<>();
		Thread thread = make.apply(() -> seen.set(LedgerLineage.ofCurrentThread()));
		thread.start();
		thread.join(10_000);
		assertThat(thread.isAlive()).isFalse();
		assertThat(seen.get()).isNotNull();
		return seen.get();
	}

	@Test
	void aThreadTheTestsOwnCodeMadeItselfIsMadeDirectly() throws Exception {
		LedgerLineage.started(TEST);

		LedgerLineage child = seenOn(Thread::new);

		assertThat(child.madeDirectlyByOwnCode(OWN)).isTrue();
		assertThat(child.madeDirectlyByOwnCode(List.of("p.ServerTests"))).as("by another class's code").isFalse();
		assertThat(child.madeDirectlyByOwnCode(List.of())).isFalse();
	}

	@Test
	void aThreadMadeDirectlyByAThreadMadeDirectlyIsToo() throws Exception {
		LedgerLineage.started(TEST);
		AtomicReference<LedgerLineage> grandchild = new AtomicReference<>();
		AtomicReference<LedgerLineage> greatGrandchild = new AtomicReference<>();

		seenOn(runnable -> new Thread(() -> {
			runnable.run();
			try {
				grandchild.set(seenOn(next -> new Thread(() -> {
					next.run();
					try {
						greatGrandchild.set(seenOn(Thread::new));
					}
					catch (Exception e) {
						throw new IllegalStateException(e);
					}
				})));
			}
			catch (Exception e) {
				throw new IllegalStateException(e);
			}
		}));

		assertThat(grandchild.get().depth).isEqualTo(2);
		assertThat(grandchild.get().madeDirectlyByOwnCode(OWN)).isTrue();
		assertThat(greatGrandchild.get().depth).isEqualTo(3);
		assertThat(greatGrandchild.get().madeDirectlyByOwnCode(OWN)).as("a link whose creation was not kept").isFalse();
	}

	@Test
	void aPoolsWorkerIsNotMadeDirectlyEvenWhenItsFactoryIsTheTestsOwnLambda() throws Exception {
		LedgerLineage.started(TEST);
		ExecutorService pool = Executors.newSingleThreadExecutor(task -> new Thread(task, "own-factory"));
		try {
			AtomicReference<LedgerLineage> worker = new AtomicReference<>();
			AtomicReference<LedgerLineage> madeByWorker = new AtomicReference<>();
			pool.submit(() -> {
				worker.set(LedgerLineage.ofCurrentThread());
				madeByWorker.set(seenOn(Thread::new));
				return null;
			}).get(10, TimeUnit.SECONDS);

			assertThat(worker.get().testId()).isEqualTo(TEST);
			assertThat(worker.get().madeDirectlyByOwnCode(OWN)).as("the pool's frames stand between").isFalse();
			assertThat(madeByWorker.get().madeDirectlyByOwnCode(OWN)).as("made on a pool's thread").isFalse();
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(seenOn(runnable -> Executors.defaultThreadFactory().newThread(runnable)).madeDirectlyByOwnCode(OWN))
			.as("through the JDK's thread factory").isFalse();
	}

	@Test
	void aThreadHasEndedOnlyOnceItReportedAndIsNoLongerAlive() throws Exception {
		LedgerLineage.started(TEST);
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		AtomicReference<LedgerLineage> seen = new AtomicReference<>();
		java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
		Thread thread = new Thread(() -> {
			seen.set(LedgerLineage.ofCurrentThread());
			reported.countDown();
			try {
				release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		});
		thread.start();
		try {
			assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(seen.get().threadEnded()).as("still alive").isFalse();
		}
		finally {
			release.countDown();
			thread.join(10_000);
		}
		assertThat(seen.get().threadEnded()).isTrue();

		AtomicReference<LedgerLineage> child = new AtomicReference<>();
		Thread quiet = new Thread(() -> {
			try {
				child.set(seenOn(Thread::new));
			}
			catch (Exception e) {
				throw new IllegalStateException(e);
			}
		});
		quiet.start();
		quiet.join(10_000);
		assertThat(quiet.isAlive()).isFalse();
		assertThat(child.get().first.threadEnded()).as("a thread that never reported a socket is unknown").isFalse();
	}

	@Test
	void namesTestsAndClassesAsTheExtensionDoes() {
		assertThat(LedgerLineage.testName(TEST)).isEqualTo("ServerTests.leaks()");
		assertThat(LedgerLineage.testName(CLASS)).isEqualTo("class ServerTests");
		assertThat(LedgerLineage.testName("[engine:junit-jupiter]/[class:p.Outer]/[nested-class:Inner]/[method:get(int)]"))
			.isEqualTo("Inner.get()");
		assertThat(LedgerLineage.testName("[engine:junit-jupiter]/[class:p.Outer$Static]/[test-template:rep()]"
				+ "/[test-template-invocation:#2]")).isEqualTo("Static.rep()");
		assertThat(LedgerLineage.testName("odd")).isEqualTo("odd");
	}
}
