/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Reads the TCP socket table with a netlink {@code sock_diag} dump, through {@link SocketTableCalls}
 * (the FFM API on Java 22+, the bundled JNI library on Java 17 to 21): one
 * {@code TCPDIAG_GETSOCK} request for both address families (or, where a kernel refuses it, one
 * {@code inet_diag_req_v2} per family), with the wanted states as {@code idiag_states}, so the
 * kernel skips every other socket. It returns what {@code /proc/net/tcp} and {@code tcp6}
 * list, FIN_WAIT2 minisockets (inode 0) included, for the same network namespace.
 *
 * <p>What the {@link TcpSocket} fields hold, since a dump is not a {@code /proc} line:
 * <ul>
 * <li>{@code file}: {@code tcp} for the AF_INET dump, {@code tcp6} for AF_INET6: the file that
 * lists the socket.</li>
 * <li>{@code slot}: {@code -1}; a dump has no {@code sl} column.</li>
 * <li>queues: {@code idiag_wqueue} and {@code idiag_rqueue}, which the kernel fills as it fills
 * {@code tx_queue} and {@code rx_queue}; for LISTEN, {@code rx_queue} is the accept backlog and
 * the transmit queue is 0, as in {@code /proc} ({@code idiag_wqueue} is the maximum backlog).</li>
 * <li>timer: {@code idiag_timer} uses the {@code tr} codes; {@code idiag_expires} is in
 * milliseconds, converted to {@code /proc}'s clock ticks at 100 per second.</li>
 * <li>{@code idiag_retrans} is the retransmit count under the retransmit timer, and the
 * unanswered probe count under the probe and keepalive timers; the other field is 0.</li>
 * <li>uid and inode: {@code idiag_uid} and {@code idiag_inode}, as in {@code /proc}.</li>
 * </ul>
 */
final class SocketTableNetlinkSource implements SocketTableSource, SocketTableProbe, OwnershipInodeSource {

	private static final int AF_INET = 2;
	private static final int AF_INET6 = 10;
	/** {@code inet_diag_req_v2}'s message type: one family per dump. */
	private static final short SOCK_DIAG_BY_FAMILY = 20;
	/** The older {@code inet_diag_req}'s: a dump of it leaves the family unspecified, so one walk gets both. */
	private static final short TCPDIAG_GETSOCK = 18;
	private static final short NLMSG_ERROR = 2;
	private static final short NLMSG_DONE = 3;
	private static final short NLM_F_REQUEST = 0x1;
	private static final short NLM_F_DUMP = 0x300;

	private static final int SOL_SOCKET = 1;
	private static final int SO_ACCEPTCONN = 30;
	private static final int SO_PROTOCOL = 38;
	private static final int ENOENT = 2;
	private static final int EBADF = 9;
	private static final int ENOTCONN = 107;
	/** {@code INET_DIAG_NOCOOKIE}: a lookup by 4-tuple, not by cookie. */
	private static final int NO_COOKIE = -1;
	/** Larger than any kernel's {@code struct tcp_info}; only its first byte, the state, is read. */
	private static final int TCP_INFO_SIZE = 256;
	/** {@code struct sockaddr_in6}, the larger of the two families. */
	private static final int SOCKADDR_LENGTH = 28;
	/** The kernel's state for a request socket; {@code /proc} lists it as SYN_RECV. */
	private static final int TCP_NEW_SYN_RECV = 12;

	private static final int NLMSG_HEADER = 16;
	private static final int REQUEST_LENGTH = NLMSG_HEADER + 56;
	private static final int COMPAT_REQUEST_LENGTH = NLMSG_HEADER + 60;
	private static final int INET_DIAG_MSG = 72;
	/** Enough for a dump's datagrams, which the kernel sizes to about a page or two. */
	private static final int RECEIVE_BUFFER = 64 * 1024;

	private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

	private static final Map<Integer, String> ERRNO_NAMES = Map.ofEntries(Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"),
			Map.entry(9, "EBADF"), Map.entry(13, "EACCES"), Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"),
			Map.entry(38, "ENOSYS"), Map.entry(93, "EPROTONOSUPPORT"), Map.entry(97, "EAFNOSUPPORT"),
			Map.entry(105, "ENOBUFS"), Map.entry(107, "ENOTCONN"));

	private final SocketTableCalls calls;
	private final ByteBuffer request = direct(COMPAT_REQUEST_LENGTH);
	private final ByteBuffer buffer = direct(RECEIVE_BUFFER);
	private final ByteBuffer address = direct(SOCKADDR_LENGTH);
	private final ByteBuffer option = direct(4);
	private final ByteBuffer tcpInfo = direct(TCP_INFO_SIZE);

	/** The collections {@link #unchanged} was last asked about, and the arrays made of them. */
	private @Nullable Set<Long> heldAsked;
	private long[] heldSorted = new long[0];
	private @Nullable Map<Long, TcpState> watchedAsked;
	private long[] watchedPairs = new long[0];
	/** {@code (inode, fd)} pairs of the last fd scan; grown when this JVM holds more sockets. */
	private long[] pairs = new long[2 * 64];
	/**
	 * The 4-tuple of each connected TCP socket this JVM held at the last {@link #ownSockets}, by
	 * inode: a connected socket keeps its addresses, and can neither listen nor connect again, for
	 * as long as it exists, and an inode names one socket for its whole life. So a held socket whose
	 * inode is here needs two calls, its state and its fd's inode, instead of six. (Linux lets native
	 * code dissolve a connection with {@code connect(AF_UNSPEC)} and connect the socket again; no JDK
	 * socket does. Such a socket would keep its first 4-tuple here, but its state is read each time,
	 * and a state that may be a finding is judged on the whole table, which lists it as it is.)
	 */
	private final Map<Long, Connected> connected = new HashMap<>();

	/**
	 * A connected socket's 4-tuple, and the file that lists it.
	 *
	 * @param mirrorElsewhere whether a lookup found its other end open in another process: a socket
	 *        with an inode that no fd of this JVM held, and that this JVM never held. While this end
	 *        stays ESTABLISHED, that other end is not looked up again ({@link #ownSockets}).
	 */
	private record Connected(SocketTuple tuple, String file, boolean mirrorElsewhere) {
	}

	/** The family of the last address {@link #endpoint} read. */
	private int lastFamily;
	private int sequence;
	private boolean oneWalkRefused;

	/**
	 * Asks the kernel for one dump through {@code calls}, so a source that constructs is one that
	 * works.
	 *
	 * @throws SocketTableException why netlink is unavailable here
	 */
	SocketTableNetlinkSource(SocketTableCalls calls) throws SocketTableException {
		String os = System.getProperty("os.name", "");
		if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
			throw new SocketTableException("netlink sock_diag is Linux's, and this is " + os);
		}
		this.calls = calls;
		read(Set.of(TcpState.LISTEN));
	}

	@Override
	public boolean isAvailable() {
		return true;
	}

	@Override
	public String describe() {
		// The constructor's first read has settled which request this kernel answers.
		return (this.oneWalkRefused ? "netlink sock_diag (one dump per address family)" : "netlink sock_diag") + " ("
				+ this.calls.describe() + ")";
	}

	@Override
	public boolean filtersByStateCheaply() {
		return true;
	}

	@Override
	public synchronized SocketTable read(Set<TcpState> states) throws SocketTableException {
		int mask = SocketTableSource.stateMask(states);
		if ((mask & (1 << TcpState.SYN_RECV.code())) != 0) {
			mask |= 1 << TCP_NEW_SYN_RECV;
		}
		List<TcpSocket> sockets = new ArrayList<>();
		int fd = openNetlink();
		try {
			if (!this.oneWalkRefused) {
				try {
					dumpBothFamilies(fd, mask, sockets);
					return SocketTable.of(sockets);
				}
				catch (SocketTableException refused) {
					// The kernel refused the TCPDIAG_GETSOCK dump (or it failed any other way): read with
					// two inet_diag_req_v2 dumps, one per address family, below, now and on every later read.
					this.oneWalkRefused = true;
					sockets.clear();
				}
			}
			dump(fd, AF_INET, mask, sockets);
			dump(fd, AF_INET6, mask, sockets);
		}
		finally {
			this.calls.close(fd);
		}
		return SocketTable.of(sockets);
	}

	/**
	 * Each held TCP socket from its fd: the inode check confirms it still holds the listed inode
	 * (else the fd was closed or reused since it was listed, and this throws so the caller reads
	 * the whole table), {@code getsockname} and {@code getpeername} give its 4-tuple, once per
	 * socket ({@link #connected}), and {@code getsockopt(TCP_INFO)} its state, about 2 µs; its
	 * record carries only those and the inode. Then one exact-match {@code sock_diag} request (no {@code NLM_F_DUMP}) for each mirror
	 * and remembered 4-tuple that no fd holds: the kernel answers from a hash lookup, about 6 µs
	 * here, however big the table, and finds minisockets (FIN_WAIT2, TIME_WAIT) too.
	 *
	 * <p>The other end of a held ESTABLISHED socket is not looked up when an earlier lookup found it
	 * open in another process ({@link Connected#mirrorElsewhere}), as the other end of a held link
	 * to a build tool, an IDE or a database is. That end is the other process's socket, and no rule
	 * can make it this JVM's: it has an inode, so rules 2 to 4, which speak of sockets with none,
	 * never name it; it would be this JVM's by rule 1 only if its fd came here (by {@code
	 * SCM_RIGHTS}), and then it is a held socket, read from its fd. While this end is
	 * ESTABLISHED, the other end is ESTABLISHED too or has just begun to close, and a closing other
	 * end shows in this end's state: that state, read at every check, is what may be a finding, and
	 * once it leaves ESTABLISHED the other end is looked up again at every check. A remembered
	 * 4-tuple is always looked up. The lookup skipped is 4 of the 6 system calls a held link cost
	 * per check.
	 */
	@Override
	public synchronized @Nullable SocketTable ownSockets(Map<Long, Integer> socketFds,
			Collection<SocketTuple> remembered) throws SocketTableException {
		List<TcpSocket> sockets = new ArrayList<>();
		Set<SocketTuple> heldTuples = new HashSet<>();
		// The inode of each held connected socket, by its other end's 4-tuple: whose mark a lookup sets or clears.
		Map<SocketTuple, Long> heldByMirror = new HashMap<>();
		Set<SocketTuple> elsewhere = new HashSet<>();
		this.connected.keySet().retainAll(socketFds.keySet());
		for (Map.Entry<Long, Integer> entry : socketFds.entrySet()) {
			int fd = entry.getValue();
			long inode = entry.getKey();
			Connected known = this.connected.get(inode);
			if (known != null) {
				// Its state first, then that the fd still holds the inode: a state read from a socket that
				// took the fd over in between would be caught by the second read.
				TcpState state = heldState(fd, inode);
				if (state == null) {
					throw reused(fd, inode);
				}
				sockets.add(new TcpSocket(known.file(), -1, known.tuple(), state, 0, 0, 0, 0, 0, 0, 0, inode));
				heldTuples.add(known.tuple());
				heldByMirror.put(known.tuple().mirror(), inode);
				if (known.mirrorElsewhere() && state == TcpState.ESTABLISHED) {
					elsewhere.add(known.tuple().mirror());
				}
				continue;
			}
			requireInode(fd, inode);
			Endpoint local = endpoint(fd, false);
			if (local == null || option(fd, SOL_SOCKET, SO_PROTOCOL) != SocketTableCalls.IPPROTO_TCP) {
				continue;
			}
			if (option(fd, SOL_SOCKET, SO_ACCEPTCONN) != 0) {
				return null;
			}
			Endpoint remote = endpoint(fd, true);
			if (remote == null) {
				// Not connected: not in the established hash, so no dump lists it either.
				continue;
			}
			SocketTuple tuple = new SocketTuple(local, remote);
			String file = local.isIpv4() && this.lastFamily == AF_INET ? "tcp" : "tcp6";
			sockets.add(new TcpSocket(file, -1, tuple, state(fd), 0, 0, 0, 0, 0, 0, 0, inode));
			heldTuples.add(tuple);
			heldByMirror.put(tuple.mirror(), inode);
			this.connected.put(inode, new Connected(tuple, file, false));
		}
		Set<SocketTuple> wanted = new LinkedHashSet<>();
		for (TcpSocket held : sockets) {
			wanted.add(held.tuple().mirror());
		}
		for (SocketTuple mirror : elsewhere) {
			if (heldTuples.contains(mirror)) {
				// Its fd is here now after all (it came after a listing, or by SCM_RIGHTS): look it up again once it goes.
				markElsewhere(heldByMirror.get(mirror), false);
			}
		}
		wanted.removeAll(elsewhere);
		wanted.addAll(remembered);
		wanted.removeAll(heldTuples);
		if (wanted.isEmpty()) {
			return SocketTable.of(sockets);
		}
		int fd = openNetlink();
		try {
			for (SocketTuple tuple : wanted) {
				TcpSocket found = lookup(fd, tuple);
				if (found == null) {
					// Asked again once: see lookup() on the moment a closing socket becomes a minisocket.
					found = lookup(fd, tuple);
				}
				if (found != null) {
					sockets.add(found);
					if (isElsewhere(found, socketFds)) {
						markElsewhere(heldByMirror.get(found.tuple()), true);
					}
				}
			}
		}
		finally {
			this.calls.close(fd);
		}
		return SocketTable.of(sockets);
	}

	/**
	 * Whether {@code found} is open in another process: it has an inode that no fd of this JVM held
	 * at the listing or at an earlier read. (A connection accepted here just after the listing
	 * looks the same until the next listing shows its fd, which takes the mark off.)
	 */
	private boolean isElsewhere(TcpSocket found, Map<Long, Integer> socketFds) {
		return found.inode() != 0 && !socketFds.containsKey(found.inode()) && !this.connected.containsKey(found.inode());
	}

	/** Sets whether the held socket {@code inode}'s other end is open in another process; null: none is held. */
	private void markElsewhere(@Nullable Long inode, boolean elsewhere) {
		if (inode != null) {
			this.connected.computeIfPresent(inode, (key, held) -> new Connected(held.tuple(), held.file(), elsewhere));
		}
	}

	@Override
	public boolean readsHeldStates() {
		return true;
	}

	/**
	 * Its state first, then that the fd still holds the inode, as {@link #ownSockets} reads a known
	 * socket: in one call into the jar's library where it is loaded ({@link SocketTableCalls#heldState}).
	 */
	@Override
	public synchronized @Nullable TcpState heldState(int fd, long inode) throws SocketTableException {
		int code = this.calls.heldState(fd, inode, this.tcpInfo);
		if (code < 0) {
			throw failure("getsockopt(" + fd + ", TCP_INFO) or statx(" + fd + ")", code);
		}
		return code == 0 ? null : stateOf(code);
	}

	/**
	 * The one call into the jar's library where it does the whole read ({@link
	 * SocketTableCalls#unchanged}); the proof's collections become the arrays it takes once, and
	 * the same arrays are passed again while the proof's collections are the same.
	 */
	@Override
	public synchronized HeldSockets unchanged(Set<Long> held, Map<Long, TcpState> watched)
			throws SocketTableException {
		if (held != this.heldAsked) {
			long[] sorted = new long[held.size()];
			int at = 0;
			for (long inode : held) {
				sorted[at++] = inode;
			}
			Arrays.sort(sorted);
			this.heldSorted = sorted;
			this.heldAsked = held;
		}
		if (watched != this.watchedAsked) {
			long[] pairs = new long[2 * watched.size()];
			int at = 0;
			for (Map.Entry<Long, TcpState> socket : watched.entrySet()) {
				pairs[at++] = socket.getKey();
				pairs[at++] = socket.getValue().code();
			}
			this.watchedPairs = pairs;
			this.watchedAsked = watched;
		}
		int answer = this.calls.unchanged(this.heldSorted, this.watchedPairs);
		if (answer == -SocketTableCalls.ENOSYS || answer == -SocketTableCalls.E2BIG) {
			return HeldSockets.NOT_READ;
		}
		if (answer < 0) {
			throw failure("listing /proc/self/fd", answer);
		}
		return answer == 1 ? HeldSockets.UNCHANGED : HeldSockets.CHANGED;
	}

	/** Throws unless fd {@code fd} holds socket inode {@code inode}: closed or reused since it was listed. */
	private void requireInode(int fd, long inode) throws SocketTableException {
		long now = this.calls.socketInode(fd);
		if (now != inode) {
			if (now < 0 && now != -EBADF) {
				throw failure("statx(" + fd + ")", now);
			}
			throw reused(fd, inode);
		}
	}

	private static SocketTableException reused(int fd, long inode) {
		return new SocketTableException("fd " + fd + " no longer holds socket inode " + inode
				+ ": closed or reused since the fds were listed");
	}

	/** The first byte of {@code struct tcp_info}, {@code tcpi_state}: the state the table lists. */
	private TcpState state(int fd) throws SocketTableException {
		int length = this.calls.option(fd, SocketTableCalls.IPPROTO_TCP, SocketTableCalls.TCP_INFO, this.tcpInfo);
		if (length < 1) {
			throw failure("getsockopt(" + fd + ", TCP_INFO)", length);
		}
		return stateOf(this.tcpInfo.get(0) & 0xFF);
	}

	private static TcpState stateOf(int code) throws SocketTableException {
		return TcpState.fromCode(code)
			.orElseThrow(() -> new SocketTableException("getsockopt(TCP_INFO): unknown TCP state " + code));
	}

	/** One {@code statx} through the native calls, rather than the JDK's {@code stat} and its objects. */
	@Override
	public long openFds() {
		long count = this.calls.openFds();
		return count > 0 ? count : -1;
	}

	@Override
	public Set<Long> socketInodes() throws SocketTableException {
		return socketFds().keySet();
	}

	/**
	 * One listing of {@code /proc/self/fd} and one {@code statx} per fd, in one call: each
	 * socket's inode, the same the {@code socket:[INODE]} link shows, at a fraction of a
	 * {@code readlink} through {@code java.nio.file}. An fd closed after the listing is left out,
	 * as a vanished link is.
	 */
	@Override
	public synchronized Map<Long, Integer> socketFds() throws SocketTableException {
		int count;
		while ((count = this.calls.socketFds(this.pairs)) > this.pairs.length / 2) {
			this.pairs = new long[2 * Integer.highestOneBit(count) * 2];
		}
		if (count < 0) {
			throw failure("listing /proc/self/fd", count);
		}
		Map<Long, Integer> sockets = new HashMap<>(2 * count);
		for (int i = 0; i < count; i++) {
			sockets.put(this.pairs[2 * i], (int) this.pairs[2 * i + 1]);
		}
		return sockets;
	}

	private int option(int fd, int level, int name) throws SocketTableException {
		this.option.putInt(0, 0);
		int length = this.calls.option(fd, level, name, this.option);
		if (length < 0) {
			throw failure("getsockopt(" + fd + ", " + level + ", " + name + ")", length);
		}
		return this.option.getInt(0);
	}

	/**
	 * The local or peer address of a socket fd; null for the peer of an unconnected socket, and for
	 * a socket of another family than AF_INET and AF_INET6, whose family {@link #lastFamily} keeps.
	 */
	private @Nullable Endpoint endpoint(int fd, boolean peer) throws SocketTableException {
		int length = this.calls.address(fd, peer, this.address);
		if (length < 0) {
			if (peer && length == -ENOTCONN) {
				return null;
			}
			throw failure((peer ? "getpeername(" : "getsockname(") + fd + ")", length);
		}
		int family = this.address.getShort(0) & 0xFFFF;
		if (family != AF_INET && family != AF_INET6) {
			return null;
		}
		this.lastFamily = family;
		int port = bigShort(this.address, 2);
		if (family == AF_INET) {
			return Endpoint.ipv4(bigInt(this.address, 4), port);
		}
		return new Endpoint(bigLong(this.address, 8), bigLong(this.address, 16), port);
	}

	/**
	 * One exact-match request. IPv4 endpoints go as IPv4-mapped IPv6 addresses, which the kernel
	 * looks up in the IPv4 hash, so one request finds a connection end of either family. Where no
	 * connection matches, the kernel may answer with a listener on the local port: only a record
	 * of this 4-tuple counts.
	 *
	 * <p>Unlike a dump, which holds each hash bucket's lock while it copies it, a lookup walks the
	 * bucket under RCU alone. When the closing end of a connection gets the ACK of its FIN, the
	 * kernel replaces the full socket with a FIN_WAIT2 minisocket: it adds the minisocket to the
	 * bucket, then removes the full socket, whose last reference then goes. A lookup that reached the
	 * full socket just then finds it matching but unreferenced and answers "no such socket", though
	 * the minisocket is already in the bucket. A snapshot that missed such an end would charge the
	 * test with a FIN_WAIT2 that was closing before it began; so a 4-tuple not found is asked for
	 * again once, which finds the minisocket.
	 */
	private @Nullable TcpSocket lookup(int fd, SocketTuple tuple) throws SocketTableException {
		ByteBuffer req = newRequest(REQUEST_LENGTH, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST);
		int at = NLMSG_HEADER;
		req.put(at, (byte) AF_INET6);
		req.put(at + 1, (byte) SocketTableCalls.IPPROTO_TCP);
		req.putInt(at + 4, -1);
		putBigShort(req, at + 8, tuple.local().port());
		putBigShort(req, at + 10, tuple.remote().port());
		putBigLong(req, at + 12, tuple.local().high());
		putBigLong(req, at + 20, tuple.local().low());
		putBigLong(req, at + 28, tuple.remote().high());
		putBigLong(req, at + 36, tuple.remote().low());
		req.putInt(at + 48, NO_COOKIE);
		req.putInt(at + 52, NO_COOKIE);
		send(fd, REQUEST_LENGTH, "inet_diag_req_v2, exact");
		int received = this.calls.receive(fd, this.buffer);
		if (received < NLMSG_HEADER) {
			throw received < 0 ? failure("recv(sock_diag lookup)", received)
					: new SocketTableException("netlink sock_diag: a lookup answered " + received + " bytes");
		}
		short type = this.buffer.getShort(4);
		if (this.buffer.getInt(8) != this.sequence) {
			throw new SocketTableException("netlink sock_diag: a lookup's answer has another sequence number");
		}
		if (type == NLMSG_ERROR) {
			int errno = -this.buffer.getInt(NLMSG_HEADER);
			if (errno == ENOENT) {
				return null;
			}
			throw new SocketTableException("netlink sock_diag: a lookup was answered " + errnoName(errno));
		}
		if (type != SOCK_DIAG_BY_FAMILY || received < NLMSG_HEADER + INET_DIAG_MSG) {
			throw new SocketTableException("netlink sock_diag: a lookup was answered with message type " + type);
		}
		String file = (this.buffer.get(NLMSG_HEADER) & 0xFF) == AF_INET ? "tcp" : "tcp6";
		TcpSocket found = socket(this.buffer, NLMSG_HEADER, file);
		return found.tuple().equals(tuple) ? found : null;
	}

	/**
	 * Every kernel dump walks the whole established hash, which costs the same however few
	 * sockets match: about 1 ms per walk at 262,144 buckets. {@code inet_diag_req_v2} names one
	 * family, so it takes two walks; the older {@code TCPDIAG_GETSOCK} request leaves the family
	 * unspecified in the kernel and gets both in one walk, half the cost.
	 */
	private void dumpBothFamilies(int fd, int states, List<TcpSocket> sockets) throws SocketTableException {
		ByteBuffer req = newRequest(COMPAT_REQUEST_LENGTH, TCPDIAG_GETSOCK, (short) (NLM_F_REQUEST | NLM_F_DUMP));
		req.put(NLMSG_HEADER, (byte) AF_INET);
		req.putInt(NLMSG_HEADER + 52, states);
		send(fd, COMPAT_REQUEST_LENGTH, "inet_diag_req");
		receive(fd, this.sequence, TCPDIAG_GETSOCK, null, sockets);
	}

	private void dump(int fd, int family, int states, List<TcpSocket> sockets) throws SocketTableException {
		ByteBuffer req = newRequest(REQUEST_LENGTH, SOCK_DIAG_BY_FAMILY, (short) (NLM_F_REQUEST | NLM_F_DUMP));
		req.put(NLMSG_HEADER, (byte) family);
		req.put(NLMSG_HEADER + 1, (byte) SocketTableCalls.IPPROTO_TCP);
		req.putInt(NLMSG_HEADER + 4, states);
		send(fd, REQUEST_LENGTH, "inet_diag_req_v2");
		receive(fd, this.sequence, SOCK_DIAG_BY_FAMILY, family == AF_INET ? "tcp" : "tcp6", sockets);
	}

	/** Clears the request buffer and writes a request's netlink header, with the next sequence number. */
	private ByteBuffer newRequest(int length, short type, short flags) {
		ByteBuffer req = this.request;
		for (int i = 0; i < COMPAT_REQUEST_LENGTH; i += 4) {
			req.putInt(i, 0);
		}
		req.putInt(0, length);
		req.putShort(4, type);
		req.putShort(6, flags);
		req.putInt(8, ++this.sequence);
		return req;
	}

	private int openNetlink() throws SocketTableException {
		int fd = this.calls.netlinkSocket();
		if (fd < 0) {
			throw failure("socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG)", fd);
		}
		return fd;
	}

	private void send(int fd, int length, String what) throws SocketTableException {
		int sent = this.calls.send(fd, this.request, length);
		if (sent != length) {
			throw sent < 0 ? failure("sendto(" + what + ")", sent)
					: new SocketTableException("netlink sock_diag: sendto(" + what + ") sent " + sent + " of " + length
							+ " bytes");
		}
	}

	/** Reads the dump's datagrams; {@code file} null names each socket's file by its family. */
	private void receive(int fd, int seq, short type, @Nullable String file, List<TcpSocket> sockets)
			throws SocketTableException {
		while (true) {
			int received = this.calls.receive(fd, this.buffer);
			if (received < 0) {
				throw failure("recv(sock_diag dump)", received);
			}
			if (received == 0) {
				throw new SocketTableException("netlink sock_diag: the dump ended without NLMSG_DONE");
			}
			if (parse(this.buffer, received, seq, type, file, sockets)) {
				return;
			}
		}
	}

	/** Parses one datagram of the dump; true once it holds NLMSG_DONE. */
	private static boolean parse(ByteBuffer data, int length, int seq, short answerType, @Nullable String file,
			List<TcpSocket> sockets) throws SocketTableException {
		int offset = 0;
		while (offset + NLMSG_HEADER <= length) {
			int messageLength = data.getInt(offset);
			short type = data.getShort(offset + 4);
			int messageSeq = data.getInt(offset + 8);
			if (messageLength < NLMSG_HEADER || offset + messageLength > length) {
				throw new SocketTableException("netlink sock_diag: a message of " + messageLength
						+ " bytes does not fit the " + length + " received");
			}
			if (messageSeq == seq) {
				if (type == NLMSG_DONE) {
					return true;
				}
				if (type == NLMSG_ERROR) {
					int errno = -data.getInt(offset + NLMSG_HEADER);
					throw new SocketTableException("netlink sock_diag: the kernel answered " + errnoName(errno)
							+ (errno == 2 ? " (is the tcp_diag module missing?)" : ""));
				}
				if (type == answerType && messageLength >= NLMSG_HEADER + INET_DIAG_MSG) {
					int at = offset + NLMSG_HEADER;
					String listedIn = file != null ? file : (data.get(at) & 0xFF) == AF_INET ? "tcp" : "tcp6";
					sockets.add(socket(data, at, listedIn));
				}
			}
			offset += (messageLength + 3) & ~3;
		}
		return false;
	}

	/** One {@code struct inet_diag_msg}. */
	private static TcpSocket socket(ByteBuffer data, int at, String file) throws SocketTableException {
		int family = data.get(at) & 0xFF;
		int stateCode = data.get(at + 1) & 0xFF;
		int timer = data.get(at + 2) & 0xFF;
		int retrans = data.get(at + 3) & 0xFF;
		int localPort = bigShort(data, at + 4);
		int remotePort = bigShort(data, at + 6);
		Endpoint local;
		Endpoint remote;
		if (family == AF_INET) {
			local = Endpoint.ipv4(bigInt(data, at + 8), localPort);
			remote = Endpoint.ipv4(bigInt(data, at + 24), remotePort);
		}
		else {
			local = new Endpoint(bigLong(data, at + 8), bigLong(data, at + 16), localPort);
			remote = new Endpoint(bigLong(data, at + 24), bigLong(data, at + 32), remotePort);
		}
		TcpState state = TcpState.fromCode(stateCode)
			.orElseThrow(() -> new SocketTableException("netlink sock_diag: unknown TCP state " + stateCode));
		long expiresMillis = data.getInt(at + 52) & 0xFFFF_FFFFL;
		long receiveQueue = data.getInt(at + 56) & 0xFFFF_FFFFL;
		long transmitQueue = state == TcpState.LISTEN ? 0 : data.getInt(at + 60) & 0xFFFF_FFFFL;
		long uid = data.getInt(at + 64) & 0xFFFF_FFFFL;
		long inode = data.getInt(at + 68) & 0xFFFF_FFFFL;
		long retransmits = timer == 1 ? retrans : 0;
		long probes = timer == 2 || timer == 4 ? retrans : 0;
		return new TcpSocket(file, -1, new SocketTuple(local, remote), state, transmitQueue, receiveQueue, timer,
				(expiresMillis + 9) / 10, retransmits, uid, probes, inode);
	}

	private static ByteBuffer direct(int capacity) {
		return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
	}

	/** Addresses and ports are in network order, in buffers that are otherwise in the host's. */
	private static int bigShort(ByteBuffer data, int at) {
		short value = data.getShort(at);
		return (LITTLE_ENDIAN ? Short.reverseBytes(value) : value) & 0xFFFF;
	}

	private static int bigInt(ByteBuffer data, int at) {
		int value = data.getInt(at);
		return LITTLE_ENDIAN ? Integer.reverseBytes(value) : value;
	}

	private static long bigLong(ByteBuffer data, int at) {
		long value = data.getLong(at);
		return LITTLE_ENDIAN ? Long.reverseBytes(value) : value;
	}

	private static void putBigShort(ByteBuffer data, int at, int value) {
		data.putShort(at, LITTLE_ENDIAN ? Short.reverseBytes((short) value) : (short) value);
	}

	private static void putBigLong(ByteBuffer data, int at, long value) {
		data.putLong(at, LITTLE_ENDIAN ? Long.reverseBytes(value) : value);
	}

	private static SocketTableException failure(String call, long negativeErrno) {
		return new SocketTableException("netlink sock_diag: " + call + " failed: " + errnoName((int) -negativeErrno));
	}

	private static String errnoName(int errno) {
		String name = ERRNO_NAMES.get(errno);
		return name == null ? "errno " + errno : name + " (errno " + errno + ")";
	}
}
