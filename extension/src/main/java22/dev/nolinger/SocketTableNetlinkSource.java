/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
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
 * Reads the TCP socket table with a netlink {@code sock_diag} dump, through the FFM API: one
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
	private static final int AF_NETLINK = 16;
	private static final int SOCK_RAW = 3;
	private static final int SOCK_CLOEXEC = 0x80000;
	private static final int NETLINK_SOCK_DIAG = 4;
	private static final int IPPROTO_TCP = 6;

	private static final short SOCK_DIAG_BY_FAMILY = 20;
	/** The older request, {@code struct inet_diag_req}, which the kernel answers for both families in one walk. */
	private static final short TCPDIAG_GETSOCK = 18;
	private static final short NLMSG_ERROR = 2;
	private static final short NLMSG_DONE = 3;
	private static final short NLM_F_REQUEST = 0x1;
	private static final short NLM_F_DUMP = 0x300;

	private static final int SOL_SOCKET = 1;
	private static final int SO_ACCEPTCONN = 30;
	private static final int SO_PROTOCOL = 38;
	private static final int ENOENT = 2;
	private static final int ENOTCONN = 107;
	/** {@code INET_DIAG_NOCOOKIE}: an exact lookup by 4-tuple alone. */
	private static final int NO_COOKIE = -1;
	private static final int EBADF = 9;
	private static final int TCP_INFO = 11;
	/** Enough of {@code struct tcp_info} for any kernel; only its first byte is read. */
	private static final int TCP_INFO_SIZE = 256;
	private static final int AT_EMPTY_PATH = 0x1000;
	private static final int STATX_TYPE = 0x1;
	private static final int STATX_INO = 0x100;
	private static final int S_IFMT = 0xF000;
	private static final int S_IFSOCK = 0xC000;
	/** {@code struct statx}: the same layout on every architecture, unlike {@code struct stat}. */
	private static final int STATX_SIZE = 256;
	/** {@code struct sockaddr_in6}, the larger of the two addresses. */
	private static final int SOCKADDR_LENGTH = 28;

	/** The kernel reports request sockets as SYN_RECV, but selects them by this state's bit. */
	private static final int TCP_NEW_SYN_RECV = 12;

	private static final int NLMSG_HEADER = 16;
	private static final int REQUEST_LENGTH = NLMSG_HEADER + 56;
	private static final int COMPAT_REQUEST_LENGTH = NLMSG_HEADER + 60;
	private static final int INET_DIAG_MSG = 72;

	/**
	 * Netlink fills each dump message to at most 32 KiB; a smaller receive buffer would truncate
	 * it. Twice that leaves room for whatever a later kernel does.
	 */
	private static final int RECEIVE_BUFFER = 64 * 1024;

	private static final ValueLayout.OfShort BIG_ENDIAN_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED
		.withOrder(ByteOrder.BIG_ENDIAN);
	private static final ValueLayout.OfInt BIG_ENDIAN_INT = ValueLayout.JAVA_INT_UNALIGNED
		.withOrder(ByteOrder.BIG_ENDIAN);
	private static final ValueLayout.OfLong BIG_ENDIAN_LONG = ValueLayout.JAVA_LONG_UNALIGNED
		.withOrder(ByteOrder.BIG_ENDIAN);
	private static final ValueLayout.OfInt HOST_INT = ValueLayout.JAVA_INT_UNALIGNED;
	private static final ValueLayout.OfShort HOST_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

	private static final Map<Integer, String> ERRNO_NAMES = Map.of(1, "EPERM", 2, "ENOENT", 13, "EACCES", 22,
			"EINVAL", 24, "EMFILE", 93, "EPROTONOSUPPORT", 97, "EAFNOSUPPORT", 105, "ENOBUFS");

	private final Native libc;
	private final Arena arena = Arena.ofAuto();
	private final MemorySegment request = this.arena.allocate(COMPAT_REQUEST_LENGTH, 8);
	private final MemorySegment kernelAddress = this.arena.allocate(12, 4);
	private final MemorySegment buffer = this.arena.allocate(RECEIVE_BUFFER, 8);
	private final MemorySegment callState;
	private final MemorySegment address = this.arena.allocate(SOCKADDR_LENGTH, 4);
	private final MemorySegment length = this.arena.allocate(JAVA_INT);
	private final MemorySegment option = this.arena.allocate(JAVA_INT);
	private final MemorySegment statx = this.arena.allocate(STATX_SIZE, 8);
	private final MemorySegment tcpInfo = this.arena.allocate(TCP_INFO_SIZE, 8);
	/** The family of the address {@link #endpoint} read last. */
	private int lastFamily;
	private final MemorySegment emptyPath = this.arena.allocate(1);
	private final File fdDirectory = new File("/proc/self/fd");
	private int sequence;
	private boolean oneWalkRefused;

	/**
	 * Links the C library's socket calls and asks the kernel for one dump, so a source that
	 * constructs is one that works.
	 *
	 * @throws SocketTableException why netlink is unavailable here
	 */
	SocketTableNetlinkSource() throws SocketTableException {
		String os = System.getProperty("os.name", "");
		if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
			throw new SocketTableException("netlink sock_diag is Linux's, and this is " + os);
		}
		requireNativeAccess();
		this.libc = Native.link();
		this.callState = this.arena.allocate(Native.CALL_STATE);
		this.kernelAddress.set(JAVA_SHORT, 0, (short) AF_NETLINK);
		read(Set.of(TcpState.LISTEN));
	}

	/**
	 * Restricted methods, such as {@link Linker#downcallHandle}, make the JDK print a warning
	 * unless native access is enabled for the caller's module: a default run must print none, so
	 * without it the netlink source is simply unavailable and {@code auto} reads {@code /proc}.
	 *
	 * @throws SocketTableException naming the option that enables native access for this module
	 */
	static void requireNativeAccess() throws SocketTableException {
		Module module = SocketTableNetlinkSource.class.getModule();
		if (!module.isNativeAccessEnabled()) {
			throw new SocketTableException("native access is not enabled for "
					+ (module.isNamed() ? "module " + module.getName() : "the class path")
					+ "; add --enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED")
					+ " to the test JVM's options (Surefire: <argLine>, Gradle: jvmArgs) for the faster netlink source");
		}
	}

	@Override
	public boolean isAvailable() {
		return true;
	}

	@Override
	public String describe() {
		// The constructor's first read has settled which request this kernel answers.
		return this.oneWalkRefused ? "netlink sock_diag (one dump per address family)" : "netlink sock_diag";
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
		int fd = this.libc.socket(this.callState, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		if (fd < 0) {
			throw failure("socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG)");
		}
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
			this.libc.close(fd);
		}
		return SocketTable.of(sockets);
	}

	/**
	 * Each held TCP socket from its fd: {@code statx} checks it still holds the listed inode (else
	 * the fd was closed or reused since it was listed, and this throws so the caller reads the
	 * whole table), {@code getsockname} and {@code getpeername} give its 4-tuple and
	 * {@code getsockopt(TCP_INFO)} its state, about 2 µs; its record carries only those and the
	 * inode. Then one exact-match {@code sock_diag} request (no {@code NLM_F_DUMP}) for each mirror
	 * and remembered 4-tuple that no fd holds: the kernel answers from a hash lookup, about 6 µs
	 * here, however big the table, and finds minisockets (FIN_WAIT2, TIME_WAIT) too.
	 */
	@Override
	public synchronized @Nullable SocketTable ownSockets(Map<Long, Integer> socketFds,
			Collection<SocketTuple> remembered) throws SocketTableException {
		List<TcpSocket> sockets = new ArrayList<>();
		Set<SocketTuple> heldTuples = new HashSet<>();
		for (Map.Entry<Long, Integer> entry : socketFds.entrySet()) {
			int fd = entry.getValue();
			long inode = entry.getKey();
			if (inodeOf(fd) != inode) {
				throw new SocketTableException("fd " + fd + " no longer holds socket inode " + inode
						+ ": closed or reused since the fds were listed");
			}
			Endpoint local = endpoint(fd, false);
			if (local == null || option(fd, SOL_SOCKET, SO_PROTOCOL) != IPPROTO_TCP) {
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
			sockets.add(new TcpSocket(local.isIpv4() && this.lastFamily == AF_INET ? "tcp" : "tcp6", -1, tuple, state(fd),
					0, 0, 0, 0, 0, 0, 0, inode));
			heldTuples.add(tuple);
		}
		Set<SocketTuple> wanted = new LinkedHashSet<>();
		for (TcpSocket held : sockets) {
			wanted.add(held.tuple().mirror());
		}
		wanted.addAll(remembered);
		wanted.removeAll(heldTuples);
		if (wanted.isEmpty()) {
			return SocketTable.of(sockets);
		}
		int fd = this.libc.socket(this.callState, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		if (fd < 0) {
			throw failure("socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG)");
		}
		try {
			for (SocketTuple tuple : wanted) {
				TcpSocket found = lookup(fd, tuple);
				if (found != null) {
					sockets.add(found);
				}
			}
		}
		finally {
			this.libc.close(fd);
		}
		return SocketTable.of(sockets);
	}

	/** The inode of the file an fd holds, or -1 where it holds none now. */
	private long inodeOf(int fd) throws SocketTableException {
		if (this.libc.statx(this.callState, fd, this.emptyPath, AT_EMPTY_PATH, STATX_TYPE | STATX_INO, this.statx) != 0) {
			if ((int) Native.ERRNO.get(this.callState, 0L) == EBADF) {
				return -1;
			}
			throw failure("statx(" + fd + ")");
		}
		return (this.statx.get(JAVA_SHORT, 28) & S_IFMT) == S_IFSOCK ? this.statx.get(JAVA_LONG, 32) : -1;
	}

	/** The first byte of {@code struct tcp_info}, {@code tcpi_state}: the state the table lists. */
	private TcpState state(int fd) throws SocketTableException {
		this.length.set(JAVA_INT, 0, TCP_INFO_SIZE);
		if (this.libc.getsockopt(this.callState, fd, IPPROTO_TCP, TCP_INFO, this.tcpInfo, this.length) != 0) {
			throw failure("getsockopt(" + fd + ", TCP_INFO)");
		}
		int code = this.tcpInfo.get(JAVA_BYTE, 0) & 0xFF;
		return TcpState.fromCode(code)
			.orElseThrow(() -> new SocketTableException("getsockopt(TCP_INFO): unknown TCP state " + code));
	}

	@Override
	public Set<Long> socketInodes() throws SocketTableException {
		return socketFds().keySet();
	}

	/**
	 * The names in {@code /proc/self/fd}, then one {@code statx} per fd: its type and inode, the
	 * same the {@code socket:[INODE]} link shows, at a fraction of a {@code readlink} through
	 * {@code java.nio.file}. An fd closed after the listing is skipped, as a vanished link is.
	 */
	@Override
	public synchronized Map<Long, Integer> socketFds() throws SocketTableException {
		String[] names = this.fdDirectory.list();
		if (names == null) {
			throw new SocketTableException("cannot list " + this.fdDirectory);
		}
		Map<Long, Integer> sockets = new HashMap<>();
		for (String name : names) {
			int fd;
			try {
				fd = Integer.parseInt(name);
			}
			catch (NumberFormatException e) {
				throw new SocketTableException("unexpected entry " + name + " in " + this.fdDirectory, e);
			}
			if (this.libc.statx(this.callState, fd, this.emptyPath, AT_EMPTY_PATH, STATX_TYPE | STATX_INO, this.statx) != 0) {
				if ((int) Native.ERRNO.get(this.callState, 0L) == EBADF) {
					continue;
				}
				throw failure("statx(" + fd + ")");
			}
			if ((this.statx.get(JAVA_SHORT, 28) & S_IFMT) == S_IFSOCK) {
				sockets.put(this.statx.get(JAVA_LONG, 32), fd);
			}
		}
		return sockets;
	}

	private int option(int fd, int level, int name) throws SocketTableException {
		this.length.set(JAVA_INT, 0, 4);
		this.option.set(JAVA_INT, 0, 0);
		if (this.libc.getsockopt(this.callState, fd, level, name, this.option, this.length) != 0) {
			throw failure("getsockopt(" + fd + ", " + level + ", " + name + ")");
		}
		return this.option.get(JAVA_INT, 0);
	}

	/**
	 * The local or peer address of a socket fd; null for the peer of an unconnected socket, and for
	 * a socket of another family than AF_INET and AF_INET6, whose family {@link #lastFamily} keeps.
	 */
	private @Nullable Endpoint endpoint(int fd, boolean peer) throws SocketTableException {
		this.length.set(JAVA_INT, 0, SOCKADDR_LENGTH);
		int result = peer ? this.libc.getpeername(this.callState, fd, this.address, this.length)
				: this.libc.getsockname(this.callState, fd, this.address, this.length);
		if (result != 0) {
			if (peer && (int) Native.ERRNO.get(this.callState, 0L) == ENOTCONN) {
				return null;
			}
			throw failure((peer ? "getpeername(" : "getsockname(") + fd + ")");
		}
		int family = this.address.get(JAVA_SHORT, 0) & 0xFFFF;
		if (family != AF_INET && family != AF_INET6) {
			return null;
		}
		this.lastFamily = family;
		int port = this.address.get(BIG_ENDIAN_SHORT, 2) & 0xFFFF;
		if (family == AF_INET) {
			return Endpoint.ipv4(this.address.get(BIG_ENDIAN_INT, 4), port);
		}
		return new Endpoint(this.address.get(BIG_ENDIAN_LONG, 8), this.address.get(BIG_ENDIAN_LONG, 16), port);
	}

	/**
	 * One exact-match request. IPv4 endpoints go as IPv4-mapped IPv6 addresses, which the kernel
	 * looks up in the IPv4 hash, so one request finds a connection end of either family. Where no
	 * connection matches, the kernel may answer with a listener on the local port: only a record
	 * of this 4-tuple counts.
	 */
	private @Nullable TcpSocket lookup(int fd, SocketTuple tuple) throws SocketTableException {
		MemorySegment req = this.request;
		req.fill((byte) 0);
		req.set(HOST_INT, 0, REQUEST_LENGTH);
		req.set(HOST_SHORT, 4, SOCK_DIAG_BY_FAMILY);
		req.set(HOST_SHORT, 6, NLM_F_REQUEST);
		req.set(HOST_INT, 8, ++this.sequence);
		int at = NLMSG_HEADER;
		req.set(JAVA_BYTE, at, (byte) AF_INET6);
		req.set(JAVA_BYTE, at + 1, (byte) IPPROTO_TCP);
		req.set(HOST_INT, at + 4, -1);
		req.set(BIG_ENDIAN_SHORT, at + 8, (short) tuple.local().port());
		req.set(BIG_ENDIAN_SHORT, at + 10, (short) tuple.remote().port());
		req.set(BIG_ENDIAN_LONG, at + 12, tuple.local().high());
		req.set(BIG_ENDIAN_LONG, at + 20, tuple.local().low());
		req.set(BIG_ENDIAN_LONG, at + 28, tuple.remote().high());
		req.set(BIG_ENDIAN_LONG, at + 36, tuple.remote().low());
		req.set(HOST_INT, at + 48, NO_COOKIE);
		req.set(HOST_INT, at + 52, NO_COOKIE);
		send(fd, REQUEST_LENGTH, "inet_diag_req_v2, exact");
		long received = this.libc.recv(this.callState, fd, this.buffer, RECEIVE_BUFFER, 0);
		if (received < NLMSG_HEADER) {
			throw received < 0 ? failure("recv(sock_diag lookup)")
					: new SocketTableException("netlink sock_diag: a lookup answered " + received + " bytes");
		}
		short type = this.buffer.get(HOST_SHORT, 4);
		if (this.buffer.get(HOST_INT, 8) != this.sequence) {
			throw new SocketTableException("netlink sock_diag: a lookup's answer has another sequence number");
		}
		if (type == NLMSG_ERROR) {
			int errno = -this.buffer.get(HOST_INT, NLMSG_HEADER);
			if (errno == ENOENT) {
				return null;
			}
			throw new SocketTableException("netlink sock_diag: a lookup was answered " + errnoName(errno));
		}
		if (type != SOCK_DIAG_BY_FAMILY || received < NLMSG_HEADER + INET_DIAG_MSG) {
			throw new SocketTableException("netlink sock_diag: a lookup was answered with message type " + type);
		}
		String file = (this.buffer.get(JAVA_BYTE, NLMSG_HEADER) & 0xFF) == AF_INET ? "tcp" : "tcp6";
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
		MemorySegment req = newRequest(COMPAT_REQUEST_LENGTH, TCPDIAG_GETSOCK);
		req.set(JAVA_BYTE, NLMSG_HEADER, (byte) AF_INET);
		req.set(HOST_INT, NLMSG_HEADER + 52, states);
		send(fd, COMPAT_REQUEST_LENGTH, "inet_diag_req");
		receive(fd, this.sequence, TCPDIAG_GETSOCK, null, sockets);
	}

	private void dump(int fd, int family, int states, List<TcpSocket> sockets) throws SocketTableException {
		MemorySegment req = newRequest(REQUEST_LENGTH, SOCK_DIAG_BY_FAMILY);
		req.set(JAVA_BYTE, NLMSG_HEADER, (byte) family);
		req.set(JAVA_BYTE, NLMSG_HEADER + 1, (byte) IPPROTO_TCP);
		req.set(HOST_INT, NLMSG_HEADER + 4, states);
		send(fd, REQUEST_LENGTH, "inet_diag_req_v2");
		receive(fd, this.sequence, SOCK_DIAG_BY_FAMILY, family == AF_INET ? "tcp" : "tcp6", sockets);
	}

	/** Clears the request buffer and writes a dump request's netlink header, with the next sequence number. */
	private MemorySegment newRequest(int length, short type) {
		MemorySegment req = this.request;
		req.fill((byte) 0);
		req.set(HOST_INT, 0, length);
		req.set(HOST_SHORT, 4, type);
		req.set(HOST_SHORT, 6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
		req.set(HOST_INT, 8, ++this.sequence);
		return req;
	}

	private void send(int fd, int length, String what) throws SocketTableException {
		long sent = this.libc.sendto(this.callState, fd, this.request, length, 0, this.kernelAddress, 12);
		if (sent != length) {
			throw failure("sendto(" + what + ")");
		}
	}

	/** Reads the dump's datagrams; {@code file} null names each socket's file by its family. */
	private void receive(int fd, int seq, short type, @Nullable String file, List<TcpSocket> sockets)
			throws SocketTableException {
		while (true) {
			long received = this.libc.recv(this.callState, fd, this.buffer, RECEIVE_BUFFER, 0);
			if (received < 0) {
				throw failure("recv(sock_diag dump)");
			}
			if (received == 0) {
				throw new SocketTableException("netlink sock_diag: the dump ended without NLMSG_DONE");
			}
			if (parse(this.buffer, (int) received, seq, type, file, sockets)) {
				return;
			}
		}
	}

	/** Parses one datagram of the dump; true once it holds NLMSG_DONE. */
	private static boolean parse(MemorySegment data, int length, int seq, short answerType, @Nullable String file,
			List<TcpSocket> sockets) throws SocketTableException {
		int offset = 0;
		while (offset + NLMSG_HEADER <= length) {
			int messageLength = data.get(HOST_INT, offset);
			short type = data.get(HOST_SHORT, offset + 4);
			int messageSeq = data.get(HOST_INT, offset + 8);
			if (messageLength < NLMSG_HEADER || offset + messageLength > length) {
				throw new SocketTableException("netlink sock_diag: a message of " + messageLength
						+ " bytes does not fit the " + length + " received");
			}
			if (messageSeq == seq) {
				if (type == NLMSG_DONE) {
					return true;
				}
				if (type == NLMSG_ERROR) {
					int errno = -data.get(HOST_INT, offset + NLMSG_HEADER);
					throw new SocketTableException("netlink sock_diag: the kernel answered " + errnoName(errno)
							+ (errno == 2 ? " (is the tcp_diag module missing?)" : ""));
				}
				if (type == answerType && messageLength >= NLMSG_HEADER + INET_DIAG_MSG) {
					int at = offset + NLMSG_HEADER;
					String listedIn = file != null ? file : (data.get(JAVA_BYTE, at) & 0xFF) == AF_INET ? "tcp" : "tcp6";
					sockets.add(socket(data, at, listedIn));
				}
			}
			offset += (messageLength + 3) & ~3;
		}
		return false;
	}

	/** One {@code struct inet_diag_msg}. */
	private static TcpSocket socket(MemorySegment data, int at, String file) throws SocketTableException {
		int family = data.get(JAVA_BYTE, at) & 0xFF;
		int stateCode = data.get(JAVA_BYTE, at + 1) & 0xFF;
		int timer = data.get(JAVA_BYTE, at + 2) & 0xFF;
		int retrans = data.get(JAVA_BYTE, at + 3) & 0xFF;
		int localPort = data.get(BIG_ENDIAN_SHORT, at + 4) & 0xFFFF;
		int remotePort = data.get(BIG_ENDIAN_SHORT, at + 6) & 0xFFFF;
		Endpoint local;
		Endpoint remote;
		if (family == AF_INET) {
			local = Endpoint.ipv4(data.get(BIG_ENDIAN_INT, at + 8), localPort);
			remote = Endpoint.ipv4(data.get(BIG_ENDIAN_INT, at + 24), remotePort);
		}
		else {
			local = new Endpoint(data.get(BIG_ENDIAN_LONG, at + 8), data.get(BIG_ENDIAN_LONG, at + 16), localPort);
			remote = new Endpoint(data.get(BIG_ENDIAN_LONG, at + 24), data.get(BIG_ENDIAN_LONG, at + 32), remotePort);
		}
		TcpState state = TcpState.fromCode(stateCode)
			.orElseThrow(() -> new SocketTableException("netlink sock_diag: unknown TCP state " + stateCode));
		long expiresMillis = data.get(HOST_INT, at + 52) & 0xFFFF_FFFFL;
		long receiveQueue = data.get(HOST_INT, at + 56) & 0xFFFF_FFFFL;
		long transmitQueue = state == TcpState.LISTEN ? 0 : data.get(HOST_INT, at + 60) & 0xFFFF_FFFFL;
		long uid = data.get(HOST_INT, at + 64) & 0xFFFF_FFFFL;
		long inode = data.get(HOST_INT, at + 68) & 0xFFFF_FFFFL;
		long retransmits = timer == 1 ? retrans : 0;
		long probes = timer == 2 || timer == 4 ? retrans : 0;
		return new TcpSocket(file, -1, new SocketTuple(local, remote), state, transmitQueue, receiveQueue, timer,
				(expiresMillis + 9) / 10, retransmits, uid, probes, inode);
	}

	private SocketTableException failure(String call) {
		int errno = (int) Native.ERRNO.get(this.callState, 0L);
		return new SocketTableException("netlink sock_diag: " + call + " failed: " + errnoName(errno));
	}

	private static String errnoName(int errno) {
		String name = ERRNO_NAMES.get(errno);
		return name == null ? "errno " + errno : name + " (errno " + errno + ")";
	}

	/** Downcalls into the C library, each capturing errno. */
	private record Native(MethodHandle socketCall, MethodHandle sendtoCall, MethodHandle recvCall,
			MethodHandle closeCall, MethodHandle getsocknameCall, MethodHandle getpeernameCall,
			MethodHandle getsockoptCall, MethodHandle statxCall) {

		static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();

		static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

		/** Restricted: called only once {@link #requireNativeAccess()} has passed, so the JDK never warns. */
		@SuppressWarnings("restricted")
		static Native link() throws SocketTableException {
			Linker linker = Linker.nativeLinker();
			SymbolLookup libc = linker.defaultLookup();
			Linker.Option errno = Linker.Option.captureCallState("errno");
			return new Native(
					linker.downcallHandle(find(libc, "socket"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
							errno),
					linker.downcallHandle(find(libc, "sendto"),
							FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
							errno),
					linker.downcallHandle(find(libc, "recv"),
							FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), errno),
					linker.downcallHandle(find(libc, "close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT)),
					linker.downcallHandle(find(libc, "getsockname"),
							FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno),
					linker.downcallHandle(find(libc, "getpeername"),
							FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno),
					linker.downcallHandle(find(libc, "getsockopt"),
							FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno),
					linker.downcallHandle(find(libc, "statx"),
							FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), errno));
		}

		int statx(MemorySegment state, int fd, MemorySegment path, int flags, int mask, MemorySegment buffer) {
			try {
				return (int) this.statxCall.invokeExact(state, fd, path, flags, mask, buffer);
			}
			catch (Throwable e) {
				throw rethrow(e);
			}
		}

		int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
			try {
				return (int) this.getsocknameCall.invokeExact(state, fd, address, length);
			}
			catch (Throwable e) {
				throw rethrow(e);
			}
		}

		int getpeername(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
			try {
				return (int) this.getpeernameCall.invokeExact(state, fd, address, length);
			}
			catch (Throwable e) {
				throw rethrow(e);
			}
		}

		int getsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, MemorySegment length) {
			try {
				return (int) this.getsockoptCall.invokeExact(state, fd, level, name, value, length);
			}
			catch (Throwable e) {
				throw rethrow(e);
			}
		}

		private static MemorySegment find(SymbolLookup libc, String name) throws SocketTableException {
			return libc.find(name)
				.orElseThrow(() -> new SocketTableException("the C library has no " + name + "() to call"));
		}

		int socket(MemorySegment state, int domain, int type, int protocol) {
			try {
				return (int) this.socketCall.invokeExact(state, domain, type, protocol);
			}
			catch (Throwable e) {
				throw rethrow(e);
			}
		}

		long sendto(MemorySegment state, int fd, MemorySegment data, int length, int flags, MemorySegment to,
				int toLength) {
			try {
				return (long) this.sendtoCall.invokeExact(state, fd, data, (long) length, flags, to, toLength);
			}
			catch (Throwable e) {
				throw rethrow(e);
			}
		}

		long recv(MemorySegment state, int fd, MemorySegment data, int length, int flags) {
			try {
				return (long) this.recvCall.invokeExact(state, fd, data, (long) length, flags);
			}
			catch (Throwable e) {
				throw rethrow(e);
			}
		}

		void close(int fd) {
			try {
				int ignored = (int) this.closeCall.invokeExact(fd);
			}
			catch (Throwable e) {
				throw rethrow(e);
			}
		}

		/** A downcall throws nothing checked; anything else is a bug to surface as is. */
		private static RuntimeException rethrow(Throwable e) {
			if (e instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (e instanceof Error error) {
				throw error;
			}
			throw new IllegalStateException(e);
		}
	}
}
