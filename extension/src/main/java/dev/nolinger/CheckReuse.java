/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The read after one test, kept to serve as the read before the next, when nothing of this JVM
 * opened or closed an fd in between: the snapshot then costs no fd scan and no read.
 *
 * <p><b>What "nothing in between" takes.</b> All of these, checked when the next snapshot is due:
 * <ul>
 * <li>the socket ledger counts opens and closes (the agent traces, as the README's snippet sets it
 * up), and its count is the one taken before the last check's fd scan: no JDK socket was opened,
 * accepted or closed since;</li>
 * <li>the kernel reports the number of open fds as the size of {@code /proc/self/fd} (Linux 6.2
 * and later: one {@code stat}, no listing), and it is the number taken before that scan: no fd of
 * any kind was opened or closed by anything else, native code included, unless as many were opened
 * as were closed;</li>
 * <li>at most {@value #WINDOW_MILLIS} ms have passed since that count, so what lies between the two
 * checks is JUnit's own work between two tests, on this thread, not a pause in which other threads
 * could do much;</li>
 * <li>the checked states are the same, and the run is not parallel ({@code readAlways} is set for
 * a parallel run: another test's window may lie in between).</li>
 * </ul>
 * Otherwise the snapshot scans and reads as before.
 *
 * <p><b>Why the verdicts stay the same.</b> A fresh snapshot differs from the reused read only in
 * what changed in between. An fd opened or closed shows in one of the counts. A held socket that
 * changed state without an fd (its peer closed it into CLOSE_WAIT) is judged at the next test as
 * if it changed during it, as it would be a moment later; a fresh snapshot would excuse it, and no
 * check would ever report it. The one case the counts cannot see is native code closing a socket
 * and opening as many fds within that window, between two tests: what the closed socket leaves
 * behind is then judged with the next test. That window holds no test code, only other extensions'
 * callbacks between ours, which is why it is bounded in time; a run that must exclude even that sets
 * {@value NoLingeringSocketsExtension#READ_ALWAYS_KEY}, which turns reuse off with every other
 * shortcut.
 *
 * @param table the own-socket read after the last test, or null where a {@link CheckQuiet} proof
 *        made that check read nothing
 * @param proven the snapshot whose proof that check found still holding, which then serves again;
 *        null where {@code table} serves
 * @param held the socket inodes held at that read
 * @param activity the ledger's count taken before that read's fd scan
 * @param fdCount the number of open fds taken before that scan
 * @param atNanos when the counts were taken
 */
record CheckReuse(@Nullable SocketTable table, @Nullable CheckSnapshot proven, Set<Long> held, long activity,
		long fdCount, long atNanos, Set<TcpState> states) {

	static final long WINDOW_MILLIS = 5;

	private static final Path FD_DIRECTORY = Path.of("/proc/self/fd");

	/** What a clean check after a test leaves for the next snapshot; null where nothing can be reused. */
	static @Nullable CheckReuse of(@Nullable SocketTable table, @Nullable CheckSnapshot proven, Set<Long> held,
			OptionalLong activity, long fdCount, long nowNanos, Set<TcpState> states) {
		if (activity.isEmpty() || fdCount <= 0) {
			return null;
		}
		return new CheckReuse(table, proven, held, activity.getAsLong(), fdCount, nowNanos, states);
	}

	/** Whether nothing of this JVM opened or closed an fd since, by the counts above. */
	boolean stillValid(long nowNanos, Set<TcpState> statesNow, OptionalLong activityNow, LongSupplier fdCountNow) {
		return nowNanos - this.atNanos <= WINDOW_MILLIS * 1_000_000 && this.states.equals(statesNow)
				&& activityNow.isPresent() && activityNow.getAsLong() == this.activity
				&& fdCountNow.getAsLong() == this.fdCount;
	}

	/**
	 * The number of fds this process has open, from the size Linux 6.2 and later give
	 * {@code /proc/self/fd}; -1 where the kernel gives 0 (older ones) or the call fails.
	 */
	static long openFds() {
		try {
			long size = Files.size(FD_DIRECTORY);
			return size > 0 ? size : -1;
		}
		catch (IOException | SecurityException e) {
			return -1;
		}
	}
}
