/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;

/**
 * Snapshot before, findings after: the JUnit-free core of the check. One instance serves a
 * whole test run, so its inode verdicts and ownership history span tests.
 */
final class Check {

	private static final Logger LOGGER = Logger.getLogger(NoLingeringSocketsExtension.class.getName());

	private final SocketTableSource source;
	private final @Nullable SocketTableProbe probe;
	private final OwnershipInodeSource fds;
	private final CheckSocketActivity activity;
	private final OwnershipInodes inodes;
	private final OwnershipHistory history = new OwnershipHistory();
	private final Ledger ledger = Ledger.INSTANCE;
	private final OwnershipOtherSockets others = new OwnershipOtherSockets(CheckConfiguration.DEFAULT_PROC_NET);

	/** The last snapshot read, while its {@linkplain CheckQuiet proof} may still hold; else null. */
	private volatile @Nullable CheckSnapshot quiet;

	/**
	 * What the last clean check after a test read, while the next snapshot may reuse it ({@link
	 * CheckReuse}); taken by that snapshot.
	 */
	private volatile @Nullable CheckReuse reuse;

	private final LongSupplier clock;

	/** How many fds this JVM has open, or -1 where the kernel does not say ({@link OwnershipInodeSource#openFds()}). */
	private final LongSupplier fdCount;

	/**
	 * How many times the inodes' verdicts or the history may have changed: every call that
	 * classifies or records counts, before it does.
	 */
	private final AtomicLong changes = new AtomicLong();

	/** The last snapshot {@link #snapshotFrom} made; null before any. */
	private volatile @Nullable SnapshotMade lastMade;

	/** Whether a probe has failed once, and said why at CONFIG. */
	private volatile boolean fellBack;

	/** Whether every check reads the table ({@value NoLingeringSocketsExtension#READ_ALWAYS_KEY}). */
	private final boolean readAlways;

	Check(SocketTableSource source, OwnershipInodeSource fds) {
		this(source, fds, CheckSocketActivity.UNTRACED, false);
	}

	Check(SocketTableSource source, OwnershipInodeSource fds, CheckSocketActivity activity) {
		this(source, fds, activity, false);
	}

	Check(SocketTableSource source, OwnershipInodeSource fds, CheckSocketActivity activity, boolean readAlways) {
		this(source, fds, activity, readAlways, source instanceof SocketTableProbe probe ? probe : null);
	}

	/**
	 * @param probe reads only this JVM's part of the table where it can, or null to read the
	 *        whole table every time
	 */
	Check(SocketTableSource source, OwnershipInodeSource fds, CheckSocketActivity activity, boolean readAlways,
			@Nullable SocketTableProbe probe) {
		this(source, fds, activity, readAlways, probe, fds::openFds, System::nanoTime);
	}

	/**
	 * @param fdCount the number of fds this JVM holds, or -1 where the kernel does not say ({@link CheckReuse})
	 * @param clock {@link System#nanoTime()}, or a test's
	 */
	Check(SocketTableSource source, OwnershipInodeSource fds, CheckSocketActivity activity, boolean readAlways,
			@Nullable SocketTableProbe probe, LongSupplier fdCount, LongSupplier clock) {
		this.clock = clock;
		this.probe = probe;
		this.source = source;
		this.fds = fds;
		this.activity = activity;
		this.readAlways = readAlways;
		this.inodes = new OwnershipInodes(fds);
		this.fdCount = fdCount;
	}

	SocketTableSource source() {
		return this.source;
	}

	/**
	 * The states a read must include for the check of {@code checked} states: those, plus every
	 * state attribution looks at. That is all of them except TIME_WAIT: a TIME_WAIT minisocket
	 * has inode 0, so it never proves ownership, and it is the other end only of a LAST_ACK,
	 * CLOSING or TIME_WAIT socket, so it is read only when one of those is checked. Leaving it
	 * out matters, because churn fills tables with TIME_WAIT. Both sources leave out the same.
	 */
	static Set<TcpState> observedStates(Set<TcpState> checked) {
		EnumSet<TcpState> states = EnumSet.allOf(TcpState.class);
		if (!checked.contains(TcpState.LAST_ACK) && !checked.contains(TcpState.CLOSING)
				&& !checked.contains(TcpState.TIME_WAIT)) {
			states.remove(TcpState.TIME_WAIT);
		}
		return states;
	}

	/** The states that decide whether a test is clean: the checked ones and those that settle into one. */
	static Set<TcpState> judgedStates(Set<TcpState> checked) {
		// Every check asks, and a run nearly always checks one set of states: the last answer serves.
		JudgedStates last = lastJudged;
		if (last != null && last.checked().equals(checked)) {
			return last.judged();
		}
		EnumSet<TcpState> states = EnumSet.noneOf(TcpState.class);
		for (TcpState state : TcpState.values()) {
			if (checked.contains(state) || CheckSettling.settlesInto(state).stream().anyMatch(checked::contains)) {
				states.add(state);
			}
		}
		Set<TcpState> judged = Collections.unmodifiableSet(states);
		lastJudged = new JudgedStates(Set.copyOf(checked), judged);
		return judged;
	}

	private record JudgedStates(Set<TcpState> checked, Set<TcpState> judged) {
	}

	private static volatile @Nullable JudgedStates lastJudged;

	/**
	 * What the table holds before a test. While the last snapshot's {@link CheckQuiet} proof still
	 * holds (this JVM holds the same socket inodes and no socket of it could have moved into a
	 * judged state), that snapshot is returned again and no table is read: see {@link CheckQuiet}
	 * for why that gives the same verdicts as a fresh read.
	 */
	CheckSnapshot snapshot(Set<TcpState> states) throws SocketTableException {
		return snapshot(states, null);
	}

	/** @param testId the test's unique ID, which the ledger's closes are matched against (rule 5) */
	CheckSnapshot snapshot(Set<TcpState> states, @Nullable String testId) throws SocketTableException {
		long start = System.nanoTime();
		try {
			return snapshotNow(states, testId);
		}
		finally {
			CheckCost.spentSince(start);
		}
	}

	private CheckSnapshot snapshotNow(Set<TcpState> states, @Nullable String testId) throws SocketTableException {
		CheckReuse reuse = this.reuse;
		this.reuse = null;
		if (reuse != null && reuse.stillValid(this.clock.getAsLong(), states, this.activity.openedOrClosed(), this.fdCount)) {
			if (reuse.proven() != null) {
				LOGGER.fine("nolinger: no read before the test: nothing of this JVM opened or closed an fd since the check"
						+ " after the last one");
				return reuse.proven().forTest(testId);
			}
			if (reuse.table() != null) {
				LOGGER.fine("nolinger: no whole-table read before the test: the read after the last one serves,"
						+ " as nothing of this JVM opened or closed an fd since");
				// An earlier read: what its history would forget, the next read forgets.
				return snapshotFrom(reuse.table(), Long.MIN_VALUE, reuse.held(), OptionalLong.of(reuse.activity()), states,
						testId);
			}
		}
		CheckSnapshot last = this.quiet;
		if (last != null) {
			CheckQuiet proof = Objects.requireNonNull(last.quiet());
			if (proof.stillHolds(this.fds, this.probe, this.activity.openedOrClosed(), states)) {
				LOGGER.fine(() -> "nolinger: no read before the test: this JVM holds the same " + proof.held().size()
						+ " socket inodes, none of which can move into a checked state unseen");
				return last.forTest(testId);
			}
		}
		this.quiet = null;
		OptionalLong activity = this.activity.openedOrClosed();
		long historyBefore = this.history.generation();
		Set<Long> held;
		SocketTable table;
		OwnSockets own = ownSockets(states, List.of());
		if (own != null) {
			held = own.held();
			table = own.table();
		}
		else {
			long readStart = this.ledger.now();
			table = this.source.read(observedStates(states));
			this.ledger.forgetAbsent(table.byTuple().keySet(), readStart);
			watched(table, observedStates(states), readStart);
			// The scan comes after the read, so a socket opened meanwhile shows as held but not listed: no proof.
			held = this.fds.socketInodes();
		}
		return snapshotFrom(table, historyBefore, held, activity, states, testId);
	}

	/** A snapshot {@link #snapshotFrom} made, with what it was made from and the count of changes it left. */
	private record SnapshotMade(SocketTable table, Set<Long> held, OptionalLong activity, Set<TcpState> states,
			long changes, CheckSnapshot snapshot) {

		boolean madeFrom(SocketTable table, Set<Long> held, OptionalLong activity, Set<TcpState> states, long changes) {
			return this.changes == changes && this.table.equals(table) && this.held.equals(held)
					&& this.activity.equals(activity) && this.states.equals(states);
		}
	}

	/**
	 * The snapshot of {@code table}, read while this JVM held {@code held} and the ledger counted
	 * {@code activity}.
	 *
	 * <p>A suite whose tests leave this JVM's sockets as they found them reads the same part of the
	 * table test after test (and reuses it: {@link CheckReuse}). The snapshot is then the one made
	 * from it last time, for this test, as long as nothing has classified inodes or recorded history
	 * since: this method computes only from its arguments and those two, and what it changes in
	 * them, a second call with the same arguments leaves as it is, so the snapshot made last time is
	 * the one it would make. Only where this check is used by one test at a time (it does not read
	 * always, which {@link CheckRun} makes parallel runs do): concurrent calls could interleave
	 * their changes.
	 */
	private CheckSnapshot snapshotFrom(SocketTable table, long historyBefore, Set<Long> held, OptionalLong activity,
			Set<TcpState> states, @Nullable String testId) throws SocketTableException {
		SnapshotMade last = this.lastMade;
		if (!this.readAlways && last != null && last.madeFrom(table, held, activity, states, this.changes.get())) {
			CheckSnapshot snapshot = last.snapshot().forTest(testId);
			if (snapshot.quiet() != null) {
				this.quiet = snapshot;
			}
			return snapshot;
		}
		long changed = this.changes.incrementAndGet();
		OwnershipInodes.Owned owned = this.inodes.classify(table, held);
		recordOwned(table, historyBefore, owned, List.of());
		Set<TcpSocket.Key> before = new HashSet<>();
		for (TcpSocket socket : table.sockets()) {
			if (states.contains(socket.state())) {
				before.add(socket.key());
			}
			// Already closing: the checked state it settles into during the test is not the test's doing.
			for (TcpState settled : CheckSettling.settlesInto(socket.state())) {
				if (states.contains(settled)) {
					before.add(new TcpSocket.Key(socket.tuple(), settled));
				}
			}
		}
		List<TcpSocket> listeners = OwnershipAttribution.ownedListeners(table, owned);
		CheckQuiet proof = this.readAlways ? null
				: CheckQuiet.prove(table, held, activity, states,
						new OwnershipAttribution(table, owned, listeners, this.history), this.others,
						this.probe != null && this.probe.readsHeldStates());
		CheckSnapshot snapshot = new CheckSnapshot(before, listeners, proof, testId);
		if (proof != null) {
			this.quiet = snapshot;
		}
		this.lastMade = new SnapshotMade(table, Set.copyOf(held), activity, Set.copyOf(states), changed, snapshot);
		return snapshot;
	}

	/**
	 * This JVM's sockets that are in one of {@code states} now and were not in that state with
	 * the same 4-tuple at the snapshot. A table with no such socket costs one read and no fd scan;
	 * where the source filters by state cheaply, that read asks only for the {@linkplain
	 * #judgedStates judged states}, and the table attribution needs is read only when needed.
	 */
	List<Finding> findings(CheckSnapshot snapshot, Set<TcpState> states) throws SocketTableException {
		return observe(snapshot, states).findings();
	}

	/** Findings, and how many of this JVM's sockets are still settling into a checked state. */
	CheckObservation observe(CheckSnapshot snapshot, Set<TcpState> states) throws SocketTableException {
		long start = System.nanoTime();
		try {
			return observeNow(snapshot, states);
		}
		finally {
			CheckCost.spentSince(start);
		}
	}

	private CheckObservation observeNow(CheckSnapshot snapshot, Set<TcpState> states) throws SocketTableException {
		CheckQuiet proof = snapshot.quiet();
		// Counted before the fds are scanned: whatever opens or closes after the count changes it. Only where
		// the next snapshot may reuse this read: traced (the ledger counts), and not reading always.
		OptionalLong counted = this.activity.openedOrClosed();
		boolean reusable = counted.isPresent() && !this.readAlways;
		long fdsCounted = reusable ? this.fdCount.getAsLong() : -1;
		long countedAt = reusable ? this.clock.getAsLong() : 0;
		if (proof != null && proof.stillHolds(this.fds, this.probe, counted, states)) {
			// CheckQuiet: no socket of this JVM can be in a checked state it was not in, nor settling into one.
			LOGGER.fine("nolinger: no read after the test: this JVM opened or closed no socket");
			this.reuse = CheckReuse.of(null, snapshot, Set.of(), counted, fdsCounted, countedAt, states);
			return CheckObservation.CLEAN;
		}
		this.quiet = null;
		Set<TcpState> observed = observedStates(states);
		Set<TcpState> judged = judgedStates(states);
		List<TcpSocket> candidates = new ArrayList<>();
		List<TcpSocket> settling = new ArrayList<>();
		// Rule 3 needs the whole table while a listener of ours from the snapshot may have orphans.
		// The ledger's closes during the test name orphans no fd or history leads to (rule 5).
		OwnSockets own = snapshot.listeners().isEmpty()
				? ownSockets(states, snapshot.testId() == null ? List.of() : this.ledger.closedDuring(snapshot.testId()))
				: null;
		if (own != null) {
			sort(own.table(), snapshot, states, candidates, settling);
			if (candidates.isEmpty() && settling.isEmpty()) {
				this.reuse = CheckReuse.of(own.table(), null, own.held(), counted, fdsCounted, countedAt, states);
				return CheckObservation.CLEAN;
			}
			// Something may be a finding: judge it on the whole table, as a read of it would.
			candidates.clear();
			settling.clear();
		}
		else if (this.source.filtersByStateCheaply() && !judged.containsAll(observed)) {
			long readStart = System.nanoTime();
			SocketTable judgedOnly = this.source.read(judged);
			watched(judgedOnly, judged, readStart);
			sort(judgedOnly, snapshot, states, candidates, settling);
			if (candidates.isEmpty() && settling.isEmpty()) {
				return CheckObservation.CLEAN;
			}
			candidates.clear();
			settling.clear();
		}
		long readStart = this.ledger.now();
		long historyBefore = this.history.generation();
		SocketTable table = this.source.read(observed);
		this.ledger.forgetAbsent(table.byTuple().keySet(), readStart);
		watched(table, observed, readStart);
		sort(table, snapshot, states, candidates, settling);
		if (candidates.isEmpty() && settling.isEmpty()) {
			return CheckObservation.CLEAN;
		}
		this.changes.incrementAndGet();
		OwnershipInodes.Owned owned = this.inodes.classify(table);
		List<TcpSocket> listeners = new ArrayList<>(snapshot.listeners());
		listeners.addAll(OwnershipAttribution.ownedListeners(table, owned));
		OwnershipAttribution attribution = new OwnershipAttribution(table, owned, listeners, this.history,
				this.ledger, snapshot.testId());
		List<Finding> findings = ours(candidates, attribution);
		recordOwned(table, historyBefore, owned, findings);
		return new CheckObservation(findings, ours(settling, attribution));
	}

	/**
	 * Every finding the test left, confirmed after the grace, for a run that writes the baseline
	 * file instead of judging.
	 *
	 * @param what names the test in the grace wait's messages
	 */
	List<Finding> findingsToRecord(CheckSnapshot snapshot, CheckSettings settings, String what)
			throws SocketTableException {
		return CheckGrace.confirmedFindings(this, snapshot, settings, List::size, 0, what);
	}

	/**
	 * Judges a test: its confirmed findings, those of them {@code beyondKnown} keeps (the ones the
	 * baseline file does not excuse), and whether those exceed the tolerance.
	 *
	 * @param what names the test in the grace wait's messages
	 */
	CheckVerdict judge(CheckSnapshot snapshot, CheckSettings settings, UnaryOperator<List<Finding>> beyondKnown,
			String what) throws SocketTableException {
		List<Finding> findings = CheckGrace.confirmedFindings(this, snapshot, settings,
				f -> beyondKnown.apply(f).size(), settings.tolerance(), what);
		List<Finding> beyond = beyondKnown.apply(findings);
		return new CheckVerdict(findings, beyond, beyond.size() > settings.tolerance());
	}

	/** What a {@link SocketTableProbe} read: the part of the table that can be this JVM's, and the inodes it holds. */
	private record OwnSockets(SocketTable table, Set<Long> held) {
	}

	/**
	 * The part of the table rules 1, 2 and 4 can attribute, in {@code observedStates}, read
	 * without walking the whole table; null where the whole table must be read: no probe (Java
	 * 17 to 21, no native access, {@code /proc} asked for), {@value
	 * NoLingeringSocketsExtension#READ_ALWAYS_KEY}, a listener of this JVM (rule 3), or a refused
	 * call or an fd that changed under the probe.
	 */
	private @Nullable OwnSockets ownSockets(Set<TcpState> states, Collection<SocketTuple> closedByThisTest) {
		if (this.probe == null || this.readAlways) {
			return null;
		}
		try {
			long readStart = System.nanoTime();
			Map<Long, Integer> fds = this.fds.socketFds();
			Collection<SocketTuple> remembered = this.history.tuples();
			boolean watching = SuiteReportRecords.watching();
			if (!closedByThisTest.isEmpty() || watching) {
				remembered = new ArrayList<>(remembered);
				remembered.addAll(closedByThisTest);
				if (watching) {
					// Sockets that failed a test are looked up too, to say when they closed. The history holds
					// them already unless another Check saw them fail; the probe asks once per 4-tuple.
					for (SocketTuple tuple : SuiteReportRecords.watchedTuples()) {
						if (!this.history.wasOwned(tuple)) {
							remembered.add(tuple);
						}
					}
				}
			}
			SocketTable own = this.probe.ownSockets(fds, remembered);
			if (own == null) {
				return null;
			}
			Set<TcpState> observed = observedStates(states);
			LOGGER.fine(() -> "nolinger: no whole-table read: looked up this JVM's " + own.sockets().size() + " sockets");
			SocketTable table = SocketTable.of(own.sockets().stream().filter(s -> observed.contains(s.state())).toList());
			watched(table, observed, readStart);
			return new OwnSockets(table, fds.keySet());
		}
		catch (SocketTableException e) {
			// Once at CONFIG, so a run shows why it fell back; an fd closed under the probe is common, so FINE after.
			LOGGER.log(this.fellBack ? Level.FINE : Level.CONFIG,
					() -> "nolinger: reading the whole table for this check: " + e.getMessage());
			this.fellBack = true;
			return null;
		}
	}

	/**
	 * Hands a read to the watch on the sockets that failed earlier tests ({@link
	 * SuiteReportRecords#observe}), which tells a late close from a leak by when they leave the
	 * table. It costs nothing while no test has failed. Its times are {@link System#nanoTime()},
	 * the watch's, whatever clock the check runs on.
	 */
	private void watched(SocketTable table, Set<TcpState> states, long readStart) {
		if (SuiteReportRecords.watching()) {
			SuiteReportRecords.observe(table, states, readStart, System.nanoTime());
		}
	}

	/** The sockets that are this JVM's, each with its proof, its end and its other end. */
	private static List<Finding> ours(List<TcpSocket> sockets, OwnershipAttribution attribution) {
		List<Finding> findings = new ArrayList<>();
		for (TcpSocket socket : sockets) {
			attribution.of(socket).ifPresent(ownership -> findings.add(
					new Finding(socket, ownership, attribution.role(socket), attribution.ownedOtherEnd(socket),
							attribution.traced(socket))));
		}
		return findings;
	}

	/** New sockets in a checked state go to {@code candidates}; those still settling into one, to {@code settling}. */
	private static void sort(SocketTable table, CheckSnapshot snapshot, Set<TcpState> states, List<TcpSocket> candidates,
			List<TcpSocket> settling) {
		for (TcpSocket socket : table.sockets()) {
			if (states.contains(socket.state())) {
				if (!snapshot.before().contains(socket.key())) {
					candidates.add(socket);
				}
			}
			else if (isSettlingIntoNew(socket, states, snapshot)) {
				settling.add(socket);
			}
		}
	}

	private static boolean isSettlingIntoNew(TcpSocket socket, Set<TcpState> states, CheckSnapshot snapshot) {
		for (TcpState settled : CheckSettling.settlesInto(socket.state())) {
			if (states.contains(settled) && !snapshot.before().contains(new TcpSocket.Key(socket.tuple(), settled))) {
				return true;
			}
		}
		return false;
	}

	/** @param historyBefore the history's generation before {@code table} was read */
	private void recordOwned(SocketTable table, long historyBefore, OwnershipInodes.Owned inodes,
			List<Finding> findings) {
		this.history.forgetAbsent(table, historyBefore);
		List<SocketTuple> owned = new ArrayList<>();
		for (TcpSocket socket : table.sockets()) {
			if (socket.state() != TcpState.LISTEN && inodes.isOwned(socket.inode())) {
				owned.add(socket.tuple());
			}
		}
		for (Finding finding : findings) {
			owned.add(finding.socket().tuple());
		}
		this.history.record(owned);
	}
}
