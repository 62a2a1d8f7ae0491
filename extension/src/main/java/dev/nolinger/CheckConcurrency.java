/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Which checks ran at the same time. Every socket a concurrent test opens is this JVM's too, so
 * a finding of a test whose window overlapped another checked test's cannot be proven its own by
 * the table alone: it is reported as not judged, never failed. A test's own class (and a class's
 * own tests and nested classes) are not "other": their windows always enclose one another.
 */
final class CheckConcurrency {

	/**
	 * Whether the socket ledger proves a finding the test's own although other checked tests ran
	 * alongside. The agent traced the socket, and either:
	 *
	 * <ol>
	 * <li>it was opened or accepted on the test's own thread while the test ran (the extension
	 * registers the test on its thread from before the test to after it): what runs there then is
	 * the test's code; or</li>
	 * <li>it was opened or accepted on a thread the test's own code made, whose whole life lay
	 * inside the test: {@link #provenOwnByThread}.</li>
	 * </ol>
	 *
	 * A socket opened on any other thread, such as a pool or selector thread, could be any
	 * concurrent test's, so it is not proven.
	 */
	static boolean provenOwnByLedger(Finding finding, CheckTarget target) {
		LedgerSocket traced = finding.traced();
		if (traced == null) {
			return false;
		}
		LedgerSocket.Event opened = traced.opened();
		return opened.onTestThread() && target.id().equals(opened.testId()) || provenOwnByThread(opened, target);
	}

	/**
	 * Whether the socket was opened or accepted on a thread that is the test's as surely as its own
	 * thread is: a thread the test's own code made itself, during the test, that has ended before
	 * its check. All three must hold ({@link LedgerLineage} records them):
	 *
	 * <ul>
	 * <li><b>Made during the test, from its thread.</b> The thread's lineage names this test: it
	 * was created while the test ran, on its thread (or on a thread made that way, one link
	 * further; deeper chains have a link whose creation the lineage did not keep, and never
	 * qualify).</li>
	 * <li><b>Made by the test's own code, with nothing between.</b> The frames that created it
	 * are the test's own classes' (its class, superclasses, enclosing classes, their lambdas and
	 * nested classes) straight into {@code Thread}'s constructor
	 * ({@link LedgerLineage#madeDirectlyByOwnCode}). A pool's or event loop's worker is created by
	 * the pool's frames ({@code ThreadPoolExecutor.addWorker}, {@code ForkJoinPool}, a library's
	 * thread factory), even when the factory is a lambda of the test class, since the pool's frames
	 * sit between it and the test's own; so is a thread-per-task executor's, the JDK's
	 * {@code CompletableFuture} one included. This is what keeps shared pools from ever turning
	 * into blame: a pool started lazily by the first test that touches it, a static executor a
	 * test created and the next tests use, the common {@code ForkJoinPool}. Their threads carry the
	 * lineage of whichever test made them, and take other tests' tasks from a queue those tests can
	 * reach, so what they open may be any test's. A thread the test's own code made directly runs
	 * the {@code Runnable} that code gave it and nothing else, unless that code itself hands it
	 * work from other tests: the same premise as for the test's own thread, whose code could as
	 * well run another test's tasks.</li>
	 * <li><b>Its whole life inside the test.</b> The thread had ended at the check. A thread that
	 * outlives its test might go on serving others, such as one a test class starts lazily for all
	 * its tests; one that ended did so before the check, and was created after the test began,
	 * so everything it opened was opened during this test and by nothing that runs after it.</li>
	 * </ul>
	 *
	 * Everything else, a server's acceptor or a client's event loop built by a library, a thread
	 * still alive at the check, stays not judged: its lineage is only ever the message's "where".
	 */
	static boolean provenOwnByThread(LedgerSocket.Event opened, CheckTarget target) {
		LedgerLineage lineage = opened.lineage();
		return lineage != null && target.id().equals(lineage.testId()) && lineage.threadEnded()
				&& lineage.madeDirectlyByOwnCode(target.ownClasses());
	}

	/**
	 * Other checked tests ran while this one did, so the table cannot tell whose sockets these
	 * are: only findings the ledger proves this test's own are judged; the rest are reported.
	 */
	static CheckVerdict provenOnly(CheckTarget target, CheckSettings settings, CheckVerdict verdict, List<String> overlapped) {
		int others = overlapped.size();
		Map<Boolean, List<Finding>> byProof = verdict.findings().stream()
			.collect(Collectors.partitioningBy(finding -> provenOwnByLedger(finding, target)));
		List<Finding> proven = byProof.get(true);
		List<Finding> unproven = byProof.get(false);
		if (!unproven.isEmpty()) {
			target.reportEntries().accept(Messages.notJudgedEntry(unproven, others));
			SuiteReportRecords.notJudged(target.id(), NotJudged.of(target, settings.tolerance(), unproven, overlapped));
		}
		List<Finding> beyond = verdict.beyond().stream().filter(proven::contains).toList();
		return new CheckVerdict(proven, beyond, beyond.size() > settings.tolerance());
	}

	/** The open windows, each with the unrelated windows it has overlapped so far. */
	private final Map<String, Set<String>> open = new ConcurrentHashMap<>();

	/** Opens the window of a test or class, by its unique ID. */
	synchronized void open(String id) {
		Set<String> overlapped = ConcurrentHashMap.newKeySet();
		for (Map.Entry<String, Set<String>> other : this.open.entrySet()) {
			if (!related(id, other.getKey())) {
				overlapped.add(other.getKey());
				other.getValue().add(id);
			}
		}
		this.open.put(id, overlapped);
	}

	/** How many unrelated checked tests or classes overlapped the window so far; it stays open. */
	int overlapped(String id) {
		Set<String> overlapped = this.open.get(id);
		return overlapped == null ? 0 : overlapped.size();
	}

	/** The unique IDs of the unrelated checked tests or classes that overlapped the window so far. */
	List<String> overlappedWith(String id) {
		Set<String> overlapped = this.open.get(id);
		return overlapped == null ? List.of() : List.copyOf(overlapped);
	}

	/** Closes the window. */
	synchronized void close(String id) {
		this.open.remove(id);
	}

	/** A class and what it contains: its windows enclose one another's by construction. */
	static boolean related(String a, String b) {
		return a.equals(b) || encloses(b, a) || encloses(a, b);
	}

	private static boolean encloses(String outer, String inner) {
		return inner.length() > outer.length() && inner.charAt(outer.length()) == '/' && inner.startsWith(outer);
	}
}
