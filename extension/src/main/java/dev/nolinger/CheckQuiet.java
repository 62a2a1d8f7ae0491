/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;

/**
 * The proof, made at a read of the whole table, that no read can show a finding until this JVM
 * opens or closes a socket; while it holds, the check reads no table at all.
 *
 * <p><b>When it is made.</b> A snapshot read (all {@linkplain Check#observedStates observed}
 * states) gives table {@code T}; right after it {@code /proc/self/fd} gives {@code H}, the socket
 * inodes this JVM holds. The proof exists when, for the checked states and their {@linkplain
 * Check#judgedStates judged} states {@code J}:
 * <ol type="a">
 * <li>every inode of {@code H} is a socket of {@code T}, or listed in {@code /proc/net/unix},
 * {@code udp}, {@code udp6}, {@code raw}, {@code raw6} or {@code netlink} ({@link
 * OwnershipOtherSockets}): no held socket of unknown kind, since an unconnected TCP socket, which
 * {@code connect()} or {@code listen()} can bring into the table without opening an fd, is in
 * none of them;</li>
 * <li>every socket of {@code T} that is this JVM's by any rule, or whose mirror is, is in a state
 * from which no state of {@code J} can be reached without closing an fd ({@link #canReach}):
 * LISTEN never qualifies, since a peer can fill its accept queue; ESTABLISHED never does, since
 * the peer can close (CLOSE_WAIT) and this JVM can {@code shutdownOutput()} (FIN_WAIT2), neither
 * of which opens or closes an fd; with the default states CLOSE_WAIT, a half-closed FIN_WAIT2 and
 * orphaned FIN_WAIT2 and TIME_WAIT qualify, FIN_WAIT1 does not; except, where a {@link
 * SocketTableProbe} can read a held socket's state through its fd, the sockets (c) lets in.</li>
 * <li><b>Watched sockets.</b> A socket of {@code T} that (b) would exclude still lets the proof
 * stand when it is ESTABLISHED and held (its inode in {@code H}), or when it is not this JVM's by
 * any rule, has an inode, and its mirror is such a held ESTABLISHED socket. The held socket is then
 * <em>watched</em>: its state is read again through its fd at every later check. This is the
 * established link a test JVM holds to a build tool, an IDE or a shared database, and the
 * connections a suite keeps open across tests.</li>
 * </ol>
 *
 * <p>{@code T} may also be the part of the table a {@link SocketTableProbe} read (Java 22+ with
 * native access, Java 17 to 21 through the jar's JNI library): every held TCP socket, the mirror
 * of each, and every remembered 4-tuple, with none while a listener is held. That is every socket (a) and (b) look at, so the proof is the
 * same on it.
 *
 * <p><b>When it still holds.</b> At a later check, {@code /proc/self/fd} gives {@code H'}, and
 * the socket ledger, when it counts, its count of opens and closes. The proof holds when
 * {@code H' = H}, the count is unchanged, the checked states are the same, and every watched
 * socket, read through the fd that holds its inode in {@code H'}, is still ESTABLISHED, that fd
 * still holding that inode after the read ({@link SocketTableProbe#heldState}); on Java 22+ the
 * scan, its comparison with {@code H} and those reads are one call into the jar's library ({@link
 * OwnershipInodeSource#unchanged}), which answers as they do. Where a probe reads this JVM's
 * sockets by exact lookups, no proof holds while a socket that failed a test is still listed: the suite report learns when it closed from the reads ({@link
 * SuiteReportRecords#observe}), and those lookups are cheap; without a probe, which would read
 * the whole table, the proof holds as before and the report's bracket is wider.
 *
 * <p><b>Why a skipped read could not have shown a finding.</b> A finding is a socket in the table
 * after the test, in a checked state, not in that state with that 4-tuple before the test, and
 * this JVM's by one of the four rules; a socket still settling into a checked state (FIN_WAIT1)
 * makes the check wait. Take any socket {@code s} a read would show now.
 * <ul>
 * <li><b>Rule 1</b> (its inode is open here): then its inode is in {@code H' = H}, so {@code s}
 * was in {@code T} (a), this JVM's, and by (b) could not reach a judged state without an fd
 * being closed, which would have changed {@code H}. So its state now is its state in {@code T}
 * or one outside {@code J}: not a new checked state and not settling into one.</li>
 * <li><b>Rule 2</b> (inode 0, mirror of a socket that rule 1 or 3 proves ours): rule 3 needs a
 * listener of ours (below: there is none), so the mirror is held, was in {@code T}, and is not
 * ESTABLISHED or LISTEN (b). A connection whose held end is past ESTABLISHED has its other end
 * past it too, and (b) covers that other end, being the mirror of ours; an end that only now
 * lost its fd was either ours (its close changed {@code H}) or another process's, and its state
 * then was in {@code T} with its 4-tuple, and, as (b) shows, cannot have entered {@code J} since.
 * The key (4-tuple, state) is what the before set holds, so it is in it, as in a fresh snapshot.</li>
 * <li><b>Rule 3</b> (inode 0, local address of a listener of ours at the snapshot or after):
 * a listener of ours at the skipped snapshot would be in {@code H} and LISTEN, which (b) excludes;
 * one opened during the test changes {@code H'}, so the check reads.</li>
 * <li><b>Rule 4</b> (seen ours at an earlier read): such a socket was ours in {@code T} (history
 * keeps only 4-tuples still in the table), so (b) covers it as for rule 1.</li>
 * <li><b>A watched socket</b> ({@code w}, held and ESTABLISHED in {@code T}) is read again, so a
 * state it has moved into is seen, and the check reads. While it is still ESTABLISHED, it has sent
 * no FIN and received none, and neither has its other end {@code m}, which therefore is
 * ESTABLISHED too, or has just sent a FIN that {@code w} has not yet taken in: the same state a
 * read a moment earlier would find, and one in which {@code m} is in no checked state. Where
 * {@code m} is held too, it is watched itself. Where it is not, (c) let it in only with an inode,
 * not this JVM's by any rule: another process's socket, which no rule can make this JVM's until
 * that process closes it, and then its close shows first in {@code w}'s state. This is the
 * argument by which the probe already leaves such an other end unread while this end is
 * ESTABLISHED ({@code SocketTableNetlinkSource.ownSockets}). The read of {@code w} comes before
 * the check that its fd still holds its inode, so a socket that took the fd over in between is
 * caught; its inode being in {@code H' = H} rules out that {@code w} was closed.</li>
 * <li><b>A socket opened and closed between two scans</b> leaves no trace in {@code H}: what it
 * leaves in the table has inode 0 and no held mirror and no listener of ours (an open one would be
 * in {@code H'}), so no rule above can make it ours; where the ledger counts, its count changes
 * and the check reads anyway, so a rule built on the ledger's records cannot be short-cut either.</li>
 * <li><b>The settling credit</b>: a socket in FIN_WAIT1 before the test is credited with the
 * states it settles into. A socket of ours in FIN_WAIT1 fails (b), so a proof exists only when
 * no credit of ours is pending; a skipped snapshot reuses {@code T}'s before set, whose keys and
 * credits for the sockets above are what a fresh read would give, as they have not changed.</li>
 * </ul>
 * A skipped read after the test therefore shows no finding and nothing settling: the check is
 * clean. A skipped snapshot gives the before set and listeners of {@code T}; if the test then
 * opens or closes a socket, {@code H'} differs and the read after the test is a real one, judged
 * against that before set. It differs from a fresh snapshot's only in sockets that are not this
 * JVM's and changed state since {@code T}; they matter only if the test opens a listener whose
 * local address is the local address of an orphan that appeared since {@code T} (rule 3): an
 * orphan of another process on a fixed port, or of a listener opened and closed between two
 * checked tests on that port. A fresh snapshot would have excused such an orphan; this one
 * judges it as if it appeared during the test, as a fresh snapshot also does when it appears
 * a moment after the snapshot.
 *
 * @param held the socket inodes open in this JVM right after the read
 * @param activity the ledger's count of opens and closes then, or empty when nothing counts them
 * @param states the checked states the proof was made for
 * @param watched the watched sockets (c), by inode, with the state each must still be in
 */
record CheckQuiet(Set<Long> held, OptionalLong activity, Set<TcpState> states, Map<Long, TcpState> watched) {

	private static final Logger LOGGER = Logger.getLogger(NoLingeringSocketsExtension.class.getName());

	/**
	 * The proof for table {@code table} read for {@code states}, or null where a socket of this
	 * JVM could move into a judged state without an fd being opened or closed, unseen.
	 *
	 * @param attribution the table's attribution, with this JVM's listeners and history
	 * @param watching whether a held socket's state can be read through its fd at later checks
	 *        (a {@link SocketTableProbe}), so that (c) applies
	 */
	static @Nullable CheckQuiet prove(SocketTable table, Set<Long> held, OptionalLong activity, Set<TcpState> states,
			OwnershipAttribution attribution, OwnershipOtherSockets others, boolean watching) {
		Set<Long> unlisted = new HashSet<>(held);
		for (TcpSocket socket : table.sockets()) {
			unlisted.remove(socket.inode());
		}
		if (!unlisted.isEmpty() && !others.allOtherThanTcp(unlisted)) {
			LOGGER.fine(() -> "nolinger: every check reads the table while this JVM holds a socket that is neither in"
					+ " the TCP table nor of another kind: an unconnected TCP socket, inode among " + unlisted);
			return null;
		}
		Set<TcpState> judged = Check.judgedStates(states);
		Map<Long, TcpState> watched = new HashMap<>();
		for (TcpSocket socket : table.sockets()) {
			if (!canReach(socket.state(), judged)) {
				continue;
			}
			TcpSocket mirror = table.find(socket.tuple().mirror());
			boolean ours = attribution.of(socket).isPresent();
			if (!ours && (mirror == null || attribution.of(mirror).isEmpty())) {
				continue;
			}
			if (watching && isWatchable(socket, held)) {
				watched.put(socket.inode(), socket.state());
			}
			else if (watching && !ours && socket.inode() != 0 && !held.contains(socket.inode())
					&& isWatchable(mirror, held)) {
				watched.put(mirror.inode(), mirror.state());
			}
			else {
				LOGGER.fine(() -> "nolinger: every check reads the table while this JVM's " + socket.state() + " socket "
						+ socket.tuple() + " can move into a checked state");
				return null;
			}
		}
		return new CheckQuiet(Set.copyOf(held), activity, Set.copyOf(states), Map.copyOf(watched));
	}

	/** (c): a held ESTABLISHED socket, whose state its fd gives. */
	private static boolean isWatchable(@Nullable TcpSocket socket, Set<Long> held) {
		return socket != null && socket.state() == TcpState.ESTABLISHED && socket.inode() != 0
				&& held.contains(socket.inode());
	}

	/**
	 * Whether nothing has changed that the proof relies on. Where {@code fds} reads the held sockets
	 * in one call ({@link OwnershipInodeSource#unchanged}: Java 22+ with the jar's library), that one
	 * call answers; else it lists the fds and reads each watched socket's state through {@code
	 * probe}, which answer the same.
	 *
	 * @param activityNow the ledger's count now
	 */
	boolean stillHolds(OwnershipInodeSource fds, @Nullable SocketTableProbe probe, OptionalLong activityNow,
			Set<TcpState> statesNow) throws SocketTableException {
		if (!this.activity.equals(activityNow) || !this.states.equals(statesNow)) {
			return false;
		}
		if (probe != null && SuiteReportRecords.watchingListed()) {
			// A socket that failed a test is still listed: the probe's exact lookups, cheap, tell when it goes.
			return false;
		}
		OwnershipInodeSource.HeldSockets read;
		try {
			read = fds.unchanged(this.held, this.watched);
		}
		catch (SocketTableException e) {
			if (this.watched.isEmpty()) {
				throw e;
			}
			LOGGER.fine(() -> "nolinger: the check reads, as the held sockets could not be read: " + e.getMessage());
			return false;
		}
		if (read != OwnershipInodeSource.HeldSockets.NOT_READ) {
			return read == OwnershipInodeSource.HeldSockets.UNCHANGED;
		}
		if (this.watched.isEmpty()) {
			return this.held.equals(fds.socketInodes());
		}
		if (probe == null) {
			return false;
		}
		try {
			Map<Long, Integer> now = fds.socketFds();
			if (!this.held.equals(now.keySet())) {
				return false;
			}
			for (Map.Entry<Long, TcpState> socket : this.watched.entrySet()) {
				if (probe.heldState(now.get(socket.getKey()), socket.getKey()) != socket.getValue()) {
					LOGGER.fine(() -> "nolinger: a watched socket, inode " + socket.getKey() + ", left "
							+ socket.getValue() + ": the check reads");
					return false;
				}
			}
			return true;
		}
		catch (SocketTableException e) {
			LOGGER.fine(() -> "nolinger: the check reads, as a watched socket's state could not be read: "
					+ e.getMessage());
			return false;
		}
	}

	/**
	 * Whether a socket in {@code state} can come into one of {@code judged} other than its own
	 * without its fd being closed: by the peer's segments, timers, or this JVM's calls on an fd it
	 * keeps ({@code shutdownOutput()}, {@code connect()}, {@code listen()}). LISTEN counts as
	 * reaching everything, because the connections queued on it are new sockets.
	 */
	static boolean canReach(TcpState state, Set<TcpState> judged) {
		for (TcpState next : reachable(state)) {
			if (next != state && judged.contains(next)) {
				return true;
			}
		}
		return false;
	}

	private static Set<TcpState> reachable(TcpState state) {
		return switch (state) {
			case LISTEN, CLOSE -> EnumSet.allOf(TcpState.class);
			case SYN_SENT, SYN_RECV, ESTABLISHED -> EnumSet.complementOf(EnumSet.of(TcpState.LISTEN));
			case FIN_WAIT1 -> EnumSet.of(TcpState.FIN_WAIT2, TcpState.CLOSING, TcpState.TIME_WAIT, TcpState.CLOSE);
			case FIN_WAIT2, CLOSING -> EnumSet.of(TcpState.TIME_WAIT, TcpState.CLOSE);
			case CLOSE_WAIT -> EnumSet.of(TcpState.LAST_ACK, TcpState.CLOSE);
			case LAST_ACK, TIME_WAIT -> EnumSet.of(TcpState.CLOSE);
		};
	}
}
