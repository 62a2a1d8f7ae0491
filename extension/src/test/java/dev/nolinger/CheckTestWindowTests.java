/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Test windows under parallel execution, with the interleaving forced: a test that leaks and
 * finishes while another test's snapshot is read, but before that test would otherwise have
 * opened its window.
 */
class CheckTestWindowTests {

	@AfterEach
	void closeAll() {
		LoopbackConnections.closeAll();
	}

	/**
	 * Test A's snapshot is read, and its thread pauses (descheduled, as on a loaded machine). Test
	 * B opens its window, leaks a connection on real loopback sockets, and closes its window. A's
	 * check then finds B's leak new since its snapshot. A's window opened before its snapshot, so
	 * B counts as overlapping A: A reports the leak as not judged and does not fail for it.
	 */
	@Test
	void aTestThatLeaksWhileAnotherTestSnapshotsIsNotBlamedOnThatTest() throws Exception {
		CountDownLatch aRead = new CountDownLatch(1);
		CountDownLatch bDone = new CountDownLatch(1);
		AtomicReference<Thread> a = new AtomicReference<>();
		AtomicBoolean paused = new AtomicBoolean();
		SocketTableSource proc = new SocketTableProcSource(Path.of("/proc/net"));
		SocketTableSource source = new ScriptedTableSource("/proc/net, A paused after its snapshot", states -> {
			SocketTable table = proc.read(states);
			if (Thread.currentThread() == a.get() && paused.compareAndSet(false, true)) {
				aRead.countDown();
				await(bDone);
			}
			return table;
		});
		Map<String, String> parameters = Map.of(NoLingeringSocketsExtension.GRACE_KEY, "0ms");
		CheckRun run = new CheckRun(CheckConfiguration.from(key -> Optional.ofNullable(parameters.get(key))), true,
				new Check(source, new OwnershipProcSelfFd(Path.of("/proc/self/fd")), CheckSocketActivity.UNTRACED, true));
		CheckSettings settings = run.settings(null);
		List<Map<String, String>> aEntries = new CopyOnWriteArrayList<>();
		List<Map<String, String>> bEntries = new CopyOnWriteArrayList<>();
		CheckTarget testA = new CheckTarget("[engine:test]/[method:a()]", "A.clean()", List.of(), aEntries::add);
		CheckTarget testB = new CheckTarget("[engine:test]/[method:b()]", "B.leaks()", List.of(), bEntries::add);

		AtomicReference<Object> windowA = new AtomicReference<>();
		Thread threadA = new Thread(() -> {
			try {
				windowA.set(CheckTestWindow.open(run, testA, settings, false));
			}
			catch (Throwable e) {
				windowA.set(e);
			}
		}, "test-A");
		a.set(threadA);
		threadA.start();
		assertThat(aRead.await(10, TimeUnit.SECONDS)).as("A's snapshot read").isTrue();
		CheckTestWindow windowB = CheckTestWindow.open(run, testB, settings, false);
		LoopbackConnections.serverNeverCloses();
		Throwable bFailure = catchThrowable(windowB::close);
		bDone.countDown();
		threadA.join(10_000);

		assertThat(windowA.get()).isInstanceOf(CheckTestWindow.class);
		Throwable aFailure = catchThrowable(((CheckTestWindow) windowA.get())::close);
		assertThat(aFailure).as("A is not failed for B's leak").isNull();
		assertThat(aEntries).as("A reports B's leak as not judged")
			.anySatisfy(entry -> assertThat(entry.get("nolinger.notJudged"))
				.startsWith("2 sockets not judged: 1 other test ran concurrently"));
		assertThat(bFailure).as("B overlapped A's open window, so its own leak is reported, not judged").isNull();
		assertThat(bEntries).anySatisfy(entry -> assertThat(entry).containsKey("nolinger.notJudged"));
	}

	private static void await(CountDownLatch latch) throws SocketTableException {
		try {
			if (!latch.await(10, TimeUnit.SECONDS)) {
				throw new SocketTableException("test B did not finish within 10 s");
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new SocketTableException("interrupted while test B ran");
		}
	}
}
