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
	 * alongside: the agent traced the socket, and it was opened or accepted on the test's own
	 * thread while the test ran (the extension registers the test on its thread from before the
	 * test to after it). A socket opened on any other thread, such as a pool or selector thread,
	 * could be any concurrent test's, so it is not proven.
	 */
	static boolean provenOwnByLedger(Finding finding, String testId) {
		LedgerSocket traced = finding.traced();
		return traced != null && traced.opened().onTestThread() && testId.equals(traced.opened().testId());
	}

	/**
	 * Other checked tests ran while this one did, so the table cannot tell whose sockets these
	 * are: only findings the ledger proves this test's own are judged; the rest are reported.
	 */
	static CheckVerdict provenOnly(CheckTarget target, CheckSettings settings, CheckVerdict verdict, List<String> overlapped) {
		int others = overlapped.size();
		Map<Boolean, List<Finding>> byProof = verdict.findings().stream()
			.collect(Collectors.partitioningBy(finding -> provenOwnByLedger(finding, target.id())));
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
		return a.startsWith(b + "/") || b.startsWith(a + "/") || a.equals(b);
	}
}
