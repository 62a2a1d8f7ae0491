/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The netlink source (FFM on Java 22+ with native access, the JNI library on Java 17 to 21): the probe reads this JVM's sockets by fd and exact 4-tuple, and
 * every way it can fail (a listener, a refused call, an fd that vanished or changed) makes the
 * check read the whole table and give the same verdict.
 */
class SocketTableProbeTests {

	private static final Set<TcpState> DEFAULT_STATES = CheckConfiguration.DEFAULT_STATES;

	private final OwnershipProcSelfFd fds = new OwnershipProcSelfFd(Path.of("/proc/self/fd"));

	private SocketTableSource netlink;

	private SocketTableProbe probe;

	@BeforeEach
	void netlink() throws SocketTableException {
		this.netlink = SocketTableSources.netlink();
		this.probe = (SocketTableProbe) this.netlink;
	}

	@AfterEach
	void closeAll() {
		LoopbackConnections.closeAll();
	}

	@Test
	void findsEveryHeldSocketAndItsMirrorAsTheDumpDoes() throws Exception {
		LoopbackConnections.Pair established = withoutListener(LoopbackConnections.connect());
		LoopbackConnections.Pair leaked = withoutListener(LoopbackConnections.serverNeverCloses());
		SocketTuple closeWait = tuple(leaked.accepted());
		awaitState(closeWait.mirror(), TcpState.FIN_WAIT2);

		SocketTable own = this.probe.ownSockets(this.fds.socketFds(), List.of());
		SocketTable dump = this.netlink.read();

		assertThat(own).isNotNull();
		for (SocketTuple tuple : List.of(tuple(established.client()), tuple(established.accepted()), closeWait,
				closeWait.mirror())) {
			assertThat(seen(own.find(tuple))).as("%s", tuple).isNotNull().isEqualTo(seen(dump.find(tuple)));
		}
		assertThat(own.find(closeWait.mirror()).inode()).as("the client's orphan, found as a mirror").isZero();
		for (TcpSocket socket : own.sockets()) {
			assertThat(seen(socket)).isEqualTo(seen(dump.find(socket.tuple())));
		}
	}

	@Test
	void statxPerFdSeesTheSocketsReadlinkSees() throws Exception {
		withoutListener(LoopbackConnections.serverNeverCloses());
		OwnershipInodeSource statx = SocketTableSources.fds(this.netlink);

		assertThat(statx).isNotInstanceOf(OwnershipProcSelfFd.class);
		assertThat(statx.socketFds()).isEqualTo(this.fds.socketFds());
	}

	@Test
	void findsARememberedTupleThatNoFdHolds() throws Exception {
		LoopbackConnections.Pair leaked = withoutListener(LoopbackConnections.serverNeverCloses());
		SocketTuple orphan = tuple(leaked.accepted()).mirror();
		awaitState(orphan, TcpState.FIN_WAIT2);

		SocketTable own = this.probe.ownSockets(Map.of(), List.of(orphan));

		assertThat(own.sockets()).extracting(TcpSocket::tuple).containsExactly(orphan);
	}

	@Test
	void aListenerOfThisJvmNeedsTheWholeTable() throws Exception {
		LoopbackConnections.keep(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));

		assertThat(this.probe.ownSockets(this.fds.socketFds(), List.of())).isNull();
	}

	@Test
	void anFdClosedAfterItWasListedIsRefused() throws Exception {
		LoopbackConnections.Pair pair = withoutListener(LoopbackConnections.connect());
		Map<Long, Integer> listed = this.fds.socketFds();
		LoopbackConnections.close(pair.client());

		assertThatThrownBy(() -> this.probe.ownSockets(listed, List.of())).isInstanceOf(SocketTableException.class);
	}

	@Test
	void anFdThatHoldsAnotherSocketNowIsRefused() throws Exception {
		LoopbackConnections.Pair first = withoutListener(LoopbackConnections.connect());
		LoopbackConnections.Pair second = withoutListener(LoopbackConnections.connect());
		Map<Long, Integer> fds = this.fds.socketFds();
		Map<Long, Integer> swapped = new HashMap<>(fds);
		long firstInode = inodeOf(first.client(), fds);
		long secondInode = inodeOf(second.client(), fds);
		swapped.put(firstInode, fds.get(secondInode));
		swapped.put(secondInode, fds.get(firstInode));

		assertThatThrownBy(() -> this.probe.ownSockets(swapped, List.of())).isInstanceOf(SocketTableException.class)
			.hasMessageContaining("closed or reused since the fds were listed");
	}

	/**
	 * A quiet check's one call (Java 22+, the jar's library) answers as the fd scan and one state
	 * read per watched socket do, which Java 17 to 21 make: the same held inodes and watched states,
	 * an inode more or fewer, a watched socket whose peer half-closed it, a state that was never
	 * its; and it declines more watched sockets than it marks.
	 */
	@Test
	void theQuietCheckInOneCallAnswersAsTheScanAndTheStateReadsDo() throws Exception {
		OwnershipInodeSource source = SocketTableSources.fds(this.netlink);
		LoopbackConnections.Pair watchedPair = withoutListener(LoopbackConnections.connect());
		withoutListener(LoopbackConnections.connect());
		Map<Long, Integer> fds = this.fds.socketFds();
		long client = inodeOf(watchedPair.client(), fds);
		long accepted = inodeOf(watchedPair.accepted(), fds);
		Set<Long> held = Set.copyOf(fds.keySet());
		Map<Long, TcpState> watched = Map.of(client, TcpState.ESTABLISHED, accepted, TcpState.ESTABLISHED);
		Set<Long> fewer = new java.util.HashSet<>(held);
		fewer.remove(accepted);
		Set<Long> more = new java.util.HashSet<>(held);
		more.add(1L);
		Set<Long> manyMore = new java.util.HashSet<>(held);
		for (long inode = 1; inode <= 40; inode++) {
			manyMore.add(inode);
		}

		List<Map.Entry<Set<Long>, Map<Long, TcpState>>> cases = List.of(Map.entry(held, watched),
				Map.entry(held, Map.of()), Map.entry(Set.copyOf(fewer), Map.of(client, TcpState.ESTABLISHED)),
				Map.entry(Set.copyOf(more), watched), Map.entry(held, Map.of(client, TcpState.CLOSE_WAIT)));
		List<Boolean> expected = List.of(true, true, false, false, false);
		// More held inodes than the native copy of the last ones holds: copied into a larger one.
		assertOneCall(source, Set.copyOf(manyMore), watched, false);
		for (int i = 0; i < cases.size(); i++) {
			assertOneCall(source, cases.get(i).getKey(), cases.get(i).getValue(), expected.get(i));
		}

		watchedPair.accepted().shutdownOutput();
		awaitState(tuple(watchedPair.client()), TcpState.CLOSE_WAIT);
		assertOneCall(source, held, watched, false);
		assertOneCall(source, held, Map.of(client, TcpState.CLOSE_WAIT, accepted, TcpState.FIN_WAIT2), true);

		Map<Long, TcpState> tooMany = new HashMap<>();
		for (long inode = 1; inode <= 65; inode++) {
			tooMany.put(inode, TcpState.ESTABLISHED);
		}
		assertThat(source.unchanged(held, tooMany)).isEqualTo(OwnershipInodeSource.HeldSockets.NOT_READ);
	}

	/** The one call's answer, which Java 22+ gives and Java 17 to 21 leave to the calls one by one, against theirs. */
	private void assertOneCall(OwnershipInodeSource source, Set<Long> held, Map<Long, TcpState> watched,
			boolean unchanged) throws SocketTableException {
		Map<Long, Integer> now = this.fds.socketFds();
		boolean byOne = held.equals(now.keySet());
		for (Map.Entry<Long, TcpState> socket : watched.entrySet()) {
			byOne &= now.containsKey(socket.getKey())
					&& this.probe.heldState(now.get(socket.getKey()), socket.getKey()) == socket.getValue();
		}
		assertThat(byOne).as("one by one: %s, %s", held, watched).isEqualTo(unchanged);
		OwnershipInodeSource.HeldSockets answer = source.unchanged(held, watched);
		if (Runtime.version().feature() >= 22) {
			assertThat(answer).as("in one call: %s, %s", held, watched)
				.isEqualTo(unchanged ? OwnershipInodeSource.HeldSockets.UNCHANGED
						: OwnershipInodeSource.HeldSockets.CHANGED);
		}
		else {
			assertThat(answer).isEqualTo(OwnershipInodeSource.HeldSockets.NOT_READ);
		}
	}

	@Test
	void aCleanTestHoldingConnectionsReadsNoWholeTable() throws Exception {
		List<Long> inodes = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			LoopbackConnections.Pair pair = withoutListener(LoopbackConnections.connect());
			inodes.add(inodeOf(pair.client(), this.fds.socketFds()));
			inodes.add(inodeOf(pair.accepted(), this.fds.socketFds()));
		}
		AtomicInteger dumps = new AtomicInteger();
		Check check = new Check(counting(this.netlink, dumps), only(inodes), CheckSocketActivity.UNTRACED, false,
				this.probe);

		CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);
		assertThat(snapshot.quiet()).as("both ends of each are held: all six are watched").isNotNull();
		assertThat(snapshot.quiet().watched()).containsOnlyKeys(inodes).containsValues(TcpState.ESTABLISHED);
		assertThat(check.findings(snapshot, DEFAULT_STATES)).isEmpty();

		assertThat(dumps).hasValue(0);
	}

	@Test
	void aLeakIsJudgedOnTheWholeTableAsTheDumpPathJudgesIt() throws Exception {
		withoutListener(LoopbackConnections.connect());
		Check probing = new Check(this.netlink, this.fds, CheckSocketActivity.UNTRACED, false, this.probe);
		Check dumping = new Check(this.netlink, this.fds, CheckSocketActivity.UNTRACED, true, null);
		CheckSnapshot probed = probing.snapshot(DEFAULT_STATES);
		CheckSnapshot dumped = dumping.snapshot(DEFAULT_STATES);

		SocketTuple closeWait = tuple(withoutListener(LoopbackConnections.serverNeverCloses()).accepted());
		awaitState(closeWait.mirror(), TcpState.FIN_WAIT2);

		assertThat(messages(probing.findings(probed, DEFAULT_STATES))).hasSize(2)
			.isEqualTo(messages(dumping.findings(dumped, DEFAULT_STATES)));
	}

	@Test
	void everyForcedFallbackGivesTheDumpPathsVerdict() throws Exception {
		withoutListener(LoopbackConnections.connect());
		SocketTableProbe refused = (socketFds, remembered) -> {
			throw new SocketTableException("native access refused, as a later JDK may");
		};
		SocketTableProbe vanished = (socketFds, remembered) -> {
			Map<Long, Integer> gone = new HashMap<>(socketFds);
			gone.put(Long.MAX_VALUE, Integer.MAX_VALUE);
			return this.probe.ownSockets(gone, remembered);
		};
		for (SocketTableProbe failing : List.of(refused, vanished)) {
			Check check = new Check(this.netlink, this.fds, CheckSocketActivity.UNTRACED, false, failing);
			CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);
			SocketTuple closeWait = tuple(withoutListener(LoopbackConnections.serverNeverCloses()).accepted());
			awaitState(closeWait.mirror(), TcpState.FIN_WAIT2);

			assertThat(check.findings(snapshot, DEFAULT_STATES)).extracting(f -> f.socket().tuple())
				.containsExactlyInAnyOrder(closeWait, closeWait.mirror());
			assertThat(check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES)).as("clean: nothing new")
				.isEmpty();
		}
	}

	/**
	 * A link to another process: its other end is looked up once, and not again while this end
	 * stays ESTABLISHED; once the other process closes it, this end's CLOSE_WAIT makes the probe
	 * look it up again, and the check reports the CLOSE_WAIT as a read of the whole table does.
	 */
	@Test
	void theOtherEndOfALinkToAnotherProcessIsLookedUpAgainOnlyOnceThisEndLeavesEstablished() throws Exception {
		withLinkToAnotherProcess((link, peer) -> {
			SocketTuple ours = tuple(link);
			SocketTable first = this.probe.ownSockets(this.fds.socketFds(), List.of());
			assertThat(first.find(ours)).extracting(TcpSocket::state).isEqualTo(TcpState.ESTABLISHED);
			assertThat(first.find(ours.mirror())).as("looked up once: open in the other process")
				.isNotNull()
				.extracting(TcpSocket::inode)
				.isNotEqualTo(0L);
			SocketTable second = this.probe.ownSockets(this.fds.socketFds(), List.of());
			assertThat(second.find(ours)).extracting(TcpSocket::state).isEqualTo(TcpState.ESTABLISHED);
			assertThat(second.find(ours.mirror())).as("not looked up again while this end is ESTABLISHED").isNull();
			Check check = new Check(this.netlink, this.fds, CheckSocketActivity.UNTRACED, false, this.probe);
			CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);
			Check whole = new Check(this.netlink, this.fds, CheckSocketActivity.UNTRACED, true, null);
			CheckSnapshot wholeSnapshot = whole.snapshot(DEFAULT_STATES);

			peer.closeItsEnd();
			awaitState(ours, TcpState.CLOSE_WAIT);
			SocketTable third = this.probe.ownSockets(this.fds.socketFds(), List.of());
			assertThat(third.find(ours.mirror())).as("looked up again: this end is in CLOSE_WAIT")
				.isNotNull()
				.extracting(TcpSocket::state)
				.isEqualTo(TcpState.FIN_WAIT2);
			List<Finding> wholeFindings = whole.findings(wholeSnapshot, DEFAULT_STATES);
			assertThat(wholeFindings).extracting(f -> f.socket().tuple()).contains(ours);
			assertThat(messages(check.findings(snapshot, DEFAULT_STATES))).as("as a read of the whole table")
				.isEqualTo(messages(wholeFindings));
		});
	}

	/**
	 * The same link, watched ({@link CheckQuiet}): a check of a clean test reads only its state
	 * through its fd, with no lookup and no dump. When the other process closes it during a test,
	 * this end's CLOSE_WAIT ends the proof, and the check reports it as a read of the whole table
	 * does. Only the link's fd is shown to both checks, so other sockets this test JVM may hold
	 * play no part.
	 */
	@Test
	void aWatchedLinkCostsOnlyItsStateUntilTheOtherProcessClosesItAndBothPathsReportThat() throws Exception {
		withLinkToAnotherProcess((link, peer) -> {
			SocketTuple ours = tuple(link);
			long inode = inodeOf(link, this.fds.socketFds());
			OwnershipInodeSource onlyTheLink = only(List.of(inode));
			AtomicInteger dumps = new AtomicInteger();
			AtomicInteger probes = new AtomicInteger();
			AtomicInteger states = new AtomicInteger();
			Check check = new Check(counting(this.netlink, dumps), onlyTheLink, CheckSocketActivity.UNTRACED, false,
					counting(this.probe, probes, states));
			Check whole = new Check(this.netlink, onlyTheLink, CheckSocketActivity.UNTRACED, true, null);

			CheckSnapshot first = check.snapshot(DEFAULT_STATES);
			assertThat(first.quiet()).as("the link is watched").isNotNull();
			assertThat(first.quiet().watched()).isEqualTo(Map.of(inode, TcpState.ESTABLISHED));
			for (int test = 0; test < 3; test++) {
				CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);
				assertThat(snapshot).as("the same snapshot, not read again").isSameAs(first);
				assertThat(check.findings(snapshot, DEFAULT_STATES)).isEmpty();
			}
			assertThat(dumps).as("no dump").hasValue(0);
			assertThat(probes).as("one probe, for the first snapshot").hasValue(1);
			assertThat(states).as("its state, before and after each of 3 tests").hasValue(6);

			CheckSnapshot snapshot = check.snapshot(DEFAULT_STATES);
			CheckSnapshot wholeSnapshot = whole.snapshot(DEFAULT_STATES);
			peer.closeItsEnd();
			awaitState(ours, TcpState.CLOSE_WAIT);
			List<Finding> wholeFindings = whole.findings(wholeSnapshot, DEFAULT_STATES);
			assertThat(wholeFindings).extracting(f -> f.socket().tuple() + " " + f.socket().state())
				.as("this end, and the other process's end, orphaned, as the mirror of this JVM's")
				.containsExactlyInAnyOrder(ours + " CLOSE_WAIT", ours.mirror() + " FIN_WAIT2");
			assertThat(messages(check.findings(snapshot, DEFAULT_STATES))).as("as a read of the whole table")
				.isEqualTo(messages(wholeFindings));
			assertThat(check.snapshot(DEFAULT_STATES).quiet()).as("CLOSE_WAIT can reach no judged state: the next test is proven again")
				.isNotNull()
				.extracting(CheckQuiet::watched)
				.isEqualTo(Map.of());
		});
	}

	/** The other process of a held link, which closes its end when told to. */
	private interface LinkPeer {

		void closeItsEnd() throws IOException;
	}

	private interface LinkTest {

		void run(Socket link, LinkPeer peer) throws Exception;
	}

	/** Starts {@link LinkPeerMain}, connects to it, and runs {@code test} once it has accepted. */
	private static void withLinkToAnotherProcess(LinkTest test) throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process peer = new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
				LinkPeerMain.class.getName()).redirectErrorStream(true).start();
		try (BufferedReader output = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
				Writer input = peer.outputWriter(StandardCharsets.UTF_8)) {
			String listening = output.readLine();
			assertThat(listening).startsWith("listening ");
			try (Socket link = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(listening.substring(10)))) {
				assertThat(output.readLine()).isEqualTo("accepted");
				test.run(link, () -> {
					input.write("close\n");
					input.flush();
					assertThat(output.readLine()).isEqualTo("closed");
				});
			}
		}
		finally {
			peer.destroy();
			peer.waitFor(10, TimeUnit.SECONDS);
		}
	}

	/** This JVM's fds as {@code /proc/self/fd} lists them, but only those that hold one of {@code inodes}. */
	private OwnershipInodeSource only(Collection<Long> inodes) {
		return new OwnershipInodeSource() {

			@Override
			public Set<Long> socketInodes() throws SocketTableException {
				return socketFds().keySet();
			}

			@Override
			public Map<Long, Integer> socketFds() throws SocketTableException {
				Map<Long, Integer> held = new HashMap<>(SocketTableProbeTests.this.fds.socketFds());
				held.keySet().retainAll(inodes);
				return held;
			}
		};
	}

	/** {@code probe}, counting its reads of own sockets and of held sockets' states. */
	private static SocketTableProbe counting(SocketTableProbe probe, AtomicInteger reads, AtomicInteger states) {
		return new SocketTableProbe() {

			@Override
			public @Nullable SocketTable ownSockets(Map<Long, Integer> socketFds, Collection<SocketTuple> remembered)
					throws SocketTableException {
				reads.incrementAndGet();
				return probe.ownSockets(socketFds, remembered);
			}

			@Override
			public boolean readsHeldStates() {
				return probe.readsHeldStates();
			}

			@Override
			public @Nullable TcpState heldState(int fd, long inode) throws SocketTableException {
				states.incrementAndGet();
				return probe.heldState(fd, inode);
			}
		};
	}

	@Test
	void aFailingCallFallsBackToTheWholeTableWithTheSameVerdict() throws Exception {
		withoutListener(LoopbackConnections.connect());
		SocketTableCalls real = SocketTableSources.calls();
		for (String failing : List.of("socketInode", "option", "address")) {
			SocketTableNetlinkSource source = new SocketTableNetlinkSource(new FailingCalls(real, failing));
			Check check = new Check(source, this.fds, CheckSocketActivity.UNTRACED, false, source);
			List<String> said = new ArrayList<>();
			Logger logger = Logger.getLogger(NoLingeringSocketsExtension.class.getName());
			Handler handler = new Handler() {
				@Override
				public void publish(LogRecord record) {
					if (record.getLevel() == Level.CONFIG) {
						said.add(record.getMessage());
					}
				}

				@Override
				public void flush() {
				}

				@Override
				public void close() {
				}
			};
			Level level = logger.getLevel();
			logger.setLevel(Level.CONFIG);
			logger.addHandler(handler);
			CheckSnapshot snapshot;
			try {
				snapshot = check.snapshot(DEFAULT_STATES);
				check.findings(check.snapshot(DEFAULT_STATES), DEFAULT_STATES);
			}
			finally {
				logger.removeHandler(handler);
				logger.setLevel(level);
			}
			assertThat(said).as("why %s fell back, said once", failing)
				.singleElement()
				.asString()
				.startsWith("nolinger: reading the whole table for this check: netlink sock_diag: ")
				.endsWith(" failed: EMFILE (errno 24)");
			SocketTuple closeWait = tuple(withoutListener(LoopbackConnections.serverNeverCloses()).accepted());
			awaitState(closeWait.mirror(), TcpState.FIN_WAIT2);

			assertThat(check.findings(snapshot, DEFAULT_STATES)).as(failing)
				.extracting(f -> f.socket().tuple())
				.containsExactlyInAnyOrder(closeWait, closeWait.mirror());
		}
		SocketTableNetlinkSource noSocket = new SocketTableNetlinkSource(new FailingCalls(real, "netlinkSocket"));
		FailingCalls.failing = true;
		try {
			// A netlink socket refused is refused to the dump too: the read fails and says why.
			assertThatThrownBy(noSocket::read).isInstanceOf(SocketTableException.class)
				.hasMessage("netlink sock_diag: socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG) failed: EMFILE (errno 24)");
		}
		finally {
			FailingCalls.failing = false;
		}
	}

	/**
	 * The real calls, but for one kind, which fails with EMFILE; a netlink socket only while
	 * {@link #failing} is set, since the source's constructor opens one.
	 */
	private static final class FailingCalls implements SocketTableCalls {

		static volatile boolean failing;

		private static final int EMFILE = -24;

		private final SocketTableCalls real;

		private final String call;

		FailingCalls(SocketTableCalls real, String call) {
			this.real = real;
			this.call = call;
		}

		private boolean fails(String name) {
			return this.call.equals(name) && (failing || !name.equals("netlinkSocket"));
		}

		@Override
		public String describe() {
			return "failing " + this.call;
		}

		@Override
		public int netlinkSocket() {
			return fails("netlinkSocket") ? EMFILE : this.real.netlinkSocket();
		}

		@Override
		public int send(int fd, ByteBuffer request, int length) {
			return this.real.send(fd, request, length);
		}

		@Override
		public int receive(int fd, ByteBuffer buffer) {
			return this.real.receive(fd, buffer);
		}

		@Override
		public void close(int fd) {
			this.real.close(fd);
		}

		@Override
		public int address(int fd, boolean peer, ByteBuffer sockaddr) {
			return fails("address") ? EMFILE : this.real.address(fd, peer, sockaddr);
		}

		@Override
		public int option(int fd, int level, int name, ByteBuffer value) {
			return fails("option") ? EMFILE : this.real.option(fd, level, name, value);
		}

		@Override
		public long socketInode(int fd) {
			return fails("socketInode") ? EMFILE : this.real.socketInode(fd);
		}

		@Override
		public int socketFds(long[] pairs) {
			return this.real.socketFds(pairs);
		}

		@Override
		public long openFds() {
			return fails("openFds") ? EMFILE : this.real.openFds();
		}
	}

	/** Closes the pair's listener, whose orphans (rule 3) would need the whole table. */
	private static LoopbackConnections.Pair withoutListener(LoopbackConnections.Pair pair) {
		LoopbackConnections.close(pair.server());
		return pair;
	}

	private static SocketTableSource counting(SocketTableSource source, AtomicInteger reads) {
		return new ScriptedTableSource(source.describe(), states -> {
			reads.incrementAndGet();
			return source.read(states);
		});
	}

	private static List<String> messages(Collection<Finding> findings) {
		return findings.stream()
			.map(f -> f.socket().state() + " " + f.role() + " " + f.socket().tuple() + " " + Messages.reason(f) + " "
					+ (f.otherEnd() == null ? "-" : f.otherEnd().state()))
			.sorted()
			.toList();
	}

	/** What the probe's records carry: a held socket's comes from its fd, not from the table. */
	private static @Nullable String seen(@Nullable TcpSocket socket) {
		return socket == null ? null : socket.file() + " " + socket.tuple() + " " + socket.state() + " " + socket.inode();
	}

	private long inodeOf(Socket socket, Map<Long, Integer> fds) throws IOException, SocketTableException {
		SocketTable table = this.netlink.read();
		long inode = table.find(tuple(socket)).inode();
		assertThat(fds).containsKey(inode);
		return inode;
	}

	private void awaitState(SocketTuple tuple, TcpState state) {
		Awaitility.await("%s to reach %s".formatted(tuple, state))
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> {
				TcpSocket socket = this.netlink.read().find(tuple);
				return socket != null && socket.state() == state;
			});
	}

	private static SocketTuple tuple(Socket socket) throws IOException {
		InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
		InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
		return new SocketTuple(endpoint(local), endpoint(remote));
	}

	private static Endpoint endpoint(InetSocketAddress address) {
		byte[] bytes = address.getAddress().getAddress();
		if (bytes.length == 4) {
			return Endpoint.ipv4(java.nio.ByteBuffer.wrap(bytes).getInt(), address.getPort());
		}
		java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
		return new Endpoint(buffer.getLong(), buffer.getLong(), address.getPort());
	}
}
