/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The two sources on one real table: loopback sockets over IPv4-only and IPv6 sockets, in
 * LISTEN, ESTABLISHED, CLOSE_WAIT, half-closed FIN_WAIT2 (inode kept) and FIN_WAIT2 minisockets
 * (inode 0). Netlink makes its calls through FFM on Java 22+ and through the jar's JNI library on
 * Java 17 to 21, so every test runs on both.
 */
class SocketTableSourcesTests {

	private static final boolean FFM_JAVA = Runtime.version().feature() >= SocketTableSources.NETLINK_MIN_JAVA;

	private final List<AutoCloseable> open = new ArrayList<>();

	@AfterEach
	void closeAll() throws Exception {
		for (AutoCloseable closeable : this.open) {
			closeable.close();
		}
		LoopbackConnections.closeAll();
	}

	@Test
	void bothSourcesGiveTheSameTable() throws Exception {
		SocketTableSource netlink = SocketTableSources.netlink();
		SocketTableSource proc = new SocketTableProcSource(Path.of("/proc/net"));
		Set<Integer> ports = new HashSet<>();
		List<Expected> expected = new ArrayList<>();
		connections(StandardProtocolFamily.INET, InetAddress.getByName("127.0.0.1"), ports, expected);
		Optional<InetAddress> ipv6 = ipv6Loopback();
		ipv6.ifPresent(address -> connections(StandardProtocolFamily.INET6, address, ports, expected));
		// The JDK's default sockets: AF_INET6, listed in tcp6 as ::ffff:127.0.0.1.
		ports.add(LoopbackConnections.serverNeverCloses().serverPort());

		awaitStates(proc, expected);
		for (Set<TcpState> states : List.of(SocketTableSource.ALL_STATES,
				EnumSet.of(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT),
				Check.observedStates(CheckConfiguration.DEFAULT_STATES), EnumSet.of(TcpState.LISTEN))) {
			Set<Seen> fromProc = seen(proc.read(states), ports);
			Set<Seen> fromNetlink = seen(netlink.read(states), ports);
			assertThat(fromNetlink).as("netlink, asked for %s", states).isEqualTo(fromProc);
		}
		Set<Seen> all = seen(netlink.read(), ports);
		assertThat(all.stream().map(Seen::state)).contains(TcpState.LISTEN, TcpState.ESTABLISHED,
				TcpState.CLOSE_WAIT, TcpState.FIN_WAIT2);
		assertThat(all).as("a FIN_WAIT2 minisocket").anyMatch(s -> s.state() == TcpState.FIN_WAIT2 && s.inode() == 0);
		assertThat(all).as("a half-closed FIN_WAIT2 that keeps its inode")
			.anyMatch(s -> s.state() == TcpState.FIN_WAIT2 && s.inode() != 0);
		assertThat(all).as("an IPv4 socket").anyMatch(s -> s.tuple().local().isIpv4() && s.file().equals("tcp"));
		if (ipv6.isPresent()) {
			assertThat(all).as("an IPv6 ::1 socket").anyMatch(s -> s.tuple().local().address().equals("::1"));
		}
	}

	/** The native count of open fds is the JDK's size of {@code /proc/self/fd}, and moves with an fd opened. */
	@Test
	void theNativeFdCountIsTheSizeOfTheFdDirectory() throws Exception {
		SocketTableCalls calls = SocketTableSources.calls();
		Path fds = Path.of("/proc/self/fd");
		long before = calls.openFds();
		// Another thread of this JVM may open or close an fd in between; it cannot do so every time.
		for (int attempt = 0; attempt < 5 && before != Files.size(fds); attempt++) {
			before = calls.openFds();
		}
		assertThat(before).as("Linux 6.2+ gives the size").isPositive().isEqualTo(Files.size(fds));
		Pipe pipe = Pipe.open();
		try {
			assertThat(calls.openFds()).as("with a pipe's two fds").isGreaterThan(before);
		}
		finally {
			pipe.source().close();
			pipe.sink().close();
		}
	}

	/**
	 * On Java 22+ the fd scan is one downcall into the jar's library: it lists the same socket fds
	 * as one {@code statx} downcall per fd, and says how many there are when the array is too small.
	 */
	@Test
	void onJava22TheLibrarysFdScanListsWhatOneStatxPerFdLists() throws Exception {
		assumeTrue(FFM_JAVA, "the FFM API is Java 22's");
		SocketTableCalls library = SocketTableSources.calls();
		SocketTableCalls oneByOne = (SocketTableCalls) Class.forName(SocketTableSources.FFM_CLASS)
			.getDeclaredMethod("linkWithoutLibrary")
			.invoke(null);
		assertThat(library.describe()).isEqualTo("FFM, fd scan in " + jniLibrary());
		assertThat(oneByOne.describe()).isEqualTo("FFM");
		for (int i = 0; i < 3; i++) {
			LoopbackConnections.connect();
		}
		Pipe pipe = Pipe.open();
		this.open.add(pipe.source());
		this.open.add(pipe.sink());

		Map<Long, Long> scanned = Map.of();
		Map<Long, Long> expected = Map.of(-1L, -1L);
		// Another thread of this JVM may open or close an fd between two scans; it cannot do so every time.
		for (int attempt = 0; attempt < 5 && !scanned.equals(expected); attempt++) {
			scanned = pairs(library, 256);
			expected = pairs(oneByOne, 256);
		}
		assertThat(scanned).as("7 sockets at least: 3 connections and their listeners").hasSizeGreaterThanOrEqualTo(7)
			.isEqualTo(expected);

		long[] one = new long[2];
		int count = library.socketFds(one);
		assertThat(count).as("all of them counted, though only one fits").isGreaterThanOrEqualTo(7);
		assertThat(scanned).containsEntry(one[0], one[1]);
	}

	/**
	 * A watched socket's state with its inode check, in one call into the jar's library (JNI on
	 * Java 17 to 21, FFM on 22+), is what the two calls it replaces give, on every kind of fd.
	 */
	@Test
	void aHeldSocketsStateInOneNativeCallIsWhatTheTwoCallsGive() throws Exception {
		SocketTableCalls library = SocketTableSources.calls();
		SocketTableCalls twoCalls = twoCallsFor(library);
		SocketTableNetlinkSource netlink = (SocketTableNetlinkSource) SocketTableSources.netlink();
		LoopbackConnections.Pair pair = LoopbackConnections.connect();
		java.net.Socket client = pair.client();
		long inode = netlink.read()
			.sockets()
			.stream()
			.filter(s -> s.tuple().local().port() == client.getLocalPort() && s.tuple().remote().port() == client.getPort())
			.findFirst()
			.orElseThrow()
			.inode();
		int fd = netlink.socketFds().get(inode);
		ByteBuffer buffer = ByteBuffer.allocateDirect(256).order(java.nio.ByteOrder.nativeOrder());

		assertThat(library.heldState(fd, inode, buffer)).as("ESTABLISHED").isEqualTo(TcpState.ESTABLISHED.code())
			.isEqualTo(twoCalls.heldState(fd, inode, buffer));
		assertThat(library.heldState(fd, inode + 1, buffer)).as("another inode now").isZero()
			.isEqualTo(twoCalls.heldState(fd, inode + 1, buffer));
		assertThat(library.heldState(Integer.MAX_VALUE, inode, buffer)).as("no such fd: EBADF").isEqualTo(-9)
			.isEqualTo(twoCalls.heldState(Integer.MAX_VALUE, inode, buffer));
		int file = fileFd();
		assertThat(library.heldState(file, inode, buffer)).as("a file: ENOTSOCK").isEqualTo(-88)
			.isEqualTo(twoCalls.heldState(file, inode, buffer));
		client.shutdownOutput();
		Awaitility.await("FIN_WAIT2").atMost(Duration.ofSeconds(10))
			.until(() -> library.heldState(fd, inode, buffer) == TcpState.FIN_WAIT2.code());
		assertThat(twoCalls.heldState(fd, inode, buffer)).isEqualTo(TcpState.FIN_WAIT2.code());
	}

	/** An fd of this JVM that holds a file (a jar, the JDK's modules), which no socket call accepts. */
	private static int fileFd() throws IOException {
		try (var links = Files.list(Path.of("/proc/self/fd"))) {
			for (Path link : links.toList()) {
				try {
					if (Files.readSymbolicLink(link).toString().endsWith(".jar")
							|| Files.readSymbolicLink(link).toString().endsWith("/modules")) {
						return Integer.parseInt(link.getFileName().toString());
					}
				}
				catch (IOException e) {
					// closed since it was listed
				}
			}
		}
		throw new AssertionError("no file among this JVM's fds");
	}

	/** {@code calls}, but with {@link SocketTableCalls#heldState} as its two calls. */
	private static SocketTableCalls twoCallsFor(SocketTableCalls calls) {
		return new SocketTableCalls() {

			@Override
			public String describe() {
				return calls.describe();
			}

			@Override
			public int netlinkSocket() {
				return calls.netlinkSocket();
			}

			@Override
			public int send(int fd, ByteBuffer request, int length) {
				return calls.send(fd, request, length);
			}

			@Override
			public int receive(int fd, ByteBuffer buffer) {
				return calls.receive(fd, buffer);
			}

			@Override
			public void close(int fd) {
				calls.close(fd);
			}

			@Override
			public int address(int fd, boolean peer, ByteBuffer sockaddr) {
				return calls.address(fd, peer, sockaddr);
			}

			@Override
			public int option(int fd, int level, int name, ByteBuffer value) {
				return calls.option(fd, level, name, value);
			}

			@Override
			public long socketInode(int fd) {
				return calls.socketInode(fd);
			}

			@Override
			public long openFds() {
				return calls.openFds();
			}

			@Override
			public int socketFds(long[] pairs) {
				return calls.socketFds(pairs);
			}
		};
	}

	@Test
	void onJava22ALibraryThatIsMissingOrDoesNotLoadIsRefusedWithWhy() throws Exception {
		assumeTrue(FFM_JAVA, "the FFM API is Java 22's");
		java.lang.reflect.Method socketFdsIn = Class.forName(SocketTableSources.FFM_CLASS)
			.getDeclaredMethod("libraryAt", String.class);

		assertThat(refusal(socketFdsIn, "/dev/nolinger/native/linux-none/libnolinger.so"))
			.isEqualTo("this nolinger jar has no native library /dev/nolinger/native/linux-none/libnolinger.so");
		assertThat(refusal(socketFdsIn, "/META-INF/services/org.junit.jupiter.api.extension.Extension"))
			.startsWith("the native library /META-INF/services/org.junit.jupiter.api.extension.Extension did not load: ");
	}

	private static String refusal(java.lang.reflect.Method socketFdsIn, String resource) throws Exception {
		try {
			socketFdsIn.invoke(null, resource);
		}
		catch (java.lang.reflect.InvocationTargetException e) {
			assertThat(e.getCause()).isInstanceOf(SocketTableException.class);
			return e.getCause().getMessage();
		}
		throw new AssertionError(resource + " was not refused");
	}

	/** The scan's socket fds, inode to fd. */
	private static Map<Long, Long> pairs(SocketTableCalls calls, int capacity) {
		long[] pairs = new long[2 * capacity];
		int count = calls.socketFds(pairs);
		assertThat(count).isBetween(0, capacity);
		Map<Long, Long> found = new HashMap<>();
		for (int i = 0; i < count; i++) {
			found.put(pairs[2 * i], pairs[2 * i + 1]);
		}
		return found;
	}

	@Test
	void theJniLibraryIsLoadedOnlyBeforeJava22() throws SocketTableException {
		if (FFM_JAVA) {
			assertThatThrownBy(SocketTableJniCalls::load).isInstanceOf(SocketTableException.class)
				.hasMessage("the JNI library is for Java 17 to 21, and this is Java " + Runtime.version().feature()
						+ ", which makes the same calls through the FFM API");
			assertThat(SocketTableSources.calls().describe()).isEqualTo("FFM, fd scan in " + jniLibrary());
		}
		else {
			assertThat(SocketTableSources.calls().describe()).isEqualTo("JNI, " + jniLibrary());
		}
	}

	@Test
	void theJarCarriesALibraryForLinuxOnX86AndArm() throws SocketTableException {
		assertThat(SocketTableJniCalls.resource("Linux", "amd64")).isEqualTo("/dev/nolinger/native/linux-amd64/libnolinger.so");
		assertThat(SocketTableJniCalls.resource("Linux", "x86_64")).isEqualTo("/dev/nolinger/native/linux-amd64/libnolinger.so");
		assertThat(SocketTableJniCalls.resource("Linux", "aarch64"))
			.isEqualTo("/dev/nolinger/native/linux-aarch64/libnolinger.so");
		for (String arch : List.of("amd64", "aarch64")) {
			assertThat(SocketTableJniCalls.class.getResource("/dev/nolinger/native/linux-" + arch + "/libnolinger.so"))
				.as(arch).isNotNull();
		}
		assertThatThrownBy(() -> SocketTableJniCalls.resource("Linux", "riscv64")).isInstanceOf(SocketTableException.class)
			.hasMessage("this nolinger jar has native libraries for Linux on amd64 and aarch64, and this is riscv64");
		assertThatThrownBy(() -> SocketTableJniCalls.resource("Mac OS X", "aarch64"))
			.isInstanceOf(SocketTableException.class)
			.hasMessage("the native library is for Linux, and this is Mac OS X");
	}

	@Test
	void autoPicksNetlinkWhereItWorksAndProcElsewhere() throws SocketTableException {
		SocketTableSource source = SocketTableSources.select(configuration("auto", CheckConfiguration.DEFAULT_PROC_NET));

		// "netlink sock_diag" alone: this kernel answers TCPDIAG_GETSOCK, one walk for both families.
		assertThat(source.describe())
			.isEqualTo(FFM_JAVA ? "netlink sock_diag (FFM, fd scan in " + jniLibrary() + ")"
					: "netlink sock_diag (JNI, " + jniLibrary() + ")");
		assertThat(source.isAvailable()).isTrue();
	}

	@Test
	void theLibrariesWereBuiltFromTheSourceBesideThem() throws Exception {
		byte[] source = Files.readAllBytes(Path.of("src/main/c/nolinger.c"));
		String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source));

		assertThat(Files.readString(Path.of("src/main/c/built-from.sha256")).strip())
			.as("nolinger.c changed since the libraries were built: run src/main/c/build")
			.isEqualTo(sha256);
	}

	/** The library this platform loads on Java 17 to 21, as the source describes it. */
	static String jniLibrary() throws SocketTableException {
		return SocketTableJniCalls.resource(System.getProperty("os.name"), System.getProperty("os.arch"))
			.replace("/dev/nolinger/native/", "");
	}

	@Test
	void autoReadsProcWhenProcNetIsSet() {
		SocketTableSource source = SocketTableSources.select(configuration("auto", Path.of("/tmp/elsewhere")));

		assertThat(source).isInstanceOf(SocketTableProcSource.class);
		assertThat(source.describe()).isEqualTo("/tmp/elsewhere/tcp");
	}

	@Test
	void procWhenAskedFor() {
		assertThat(SocketTableSources.select(configuration("proc", CheckConfiguration.DEFAULT_PROC_NET)))
			.isInstanceOf(SocketTableProcSource.class);
	}

	@ParameterizedTest
	@ValueSource(strings = { "proc", "netlink", "auto" })
	void everySourceCatchesTheSameLeak(String source) {
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.source", source)
			.selectors(selectClass(LeakTestCases.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, event(test("leaks"), finishedWithFailure(instanceOf(LingeringSocketsError.class),
					message(m -> m.startsWith("2 sockets lingering after LeakTestCases.leaks() (tolerance 0):")
							&& m.contains("rule 2: mirror of this JVM's CLOSE_WAIT socket")))));
	}

	static class LeakTestCases {

		@Test
		@NoLingeringSockets(graceMillis = 200)
		void leaks() {
			LoopbackConnections.serverNeverCloses();
		}
	}

	private static CheckConfiguration configuration(String source, Path procNet) {
		return CheckConfiguration.from(key -> switch (key) {
			case NoLingeringSocketsExtension.SOURCE_KEY -> Optional.of(source);
			case NoLingeringSocketsExtension.PROC_NET_KEY -> Optional.of(procNet.toString());
			default -> Optional.empty();
		});
	}

	/** One socket as both sources must see it. */
	private record Seen(String file, SocketTuple tuple, TcpState state, long inode) {
	}

	/** A socket this test made, in the state it must settle in, and whether it has lost its inode. */
	private record Expected(String file, SocketTuple tuple, TcpState state, boolean minisocket) {
	}

	/**
	 * On {@code address}, through sockets of {@code family}: a listener, an established pair, a
	 * pair whose server never closes (CLOSE_WAIT and a FIN_WAIT2 minisocket), and a half-closed
	 * pair (FIN_WAIT2 with its inode, and CLOSE_WAIT).
	 */
	private void connections(ProtocolFamily family, InetAddress address, Set<Integer> ports, List<Expected> expected) {
		try {
			ServerSocketChannel server = keep(ServerSocketChannel.open(family));
			server.bind(new InetSocketAddress(address, 0));
			int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
			ports.add(port);
			String file = family == StandardProtocolFamily.INET ? "tcp" : "tcp6";
			Endpoint listening = endpoint(address, port);
			Endpoint nowhere = family == StandardProtocolFamily.INET ? Endpoint.ipv4(0, 0) : new Endpoint(0, 0, 0);
			expected.add(new Expected(file, new SocketTuple(listening, nowhere), TcpState.LISTEN, false));

			SocketChannel[] established = pair(family, server);
			SocketTuple established1 = tuple(established[0]);
			expected.add(new Expected(file, established1, TcpState.ESTABLISHED, false));
			expected.add(new Expected(file, established1.mirror(), TcpState.ESTABLISHED, false));

			SocketChannel[] serverNeverCloses = pair(family, server);
			SocketTuple closed = tuple(serverNeverCloses[0]);
			serverNeverCloses[0].close();
			expected.add(new Expected(file, closed, TcpState.FIN_WAIT2, true));
			expected.add(new Expected(file, closed.mirror(), TcpState.CLOSE_WAIT, false));

			SocketChannel[] halfClosed = pair(family, server);
			halfClosed[0].shutdownOutput();
			SocketTuple half = tuple(halfClosed[0]);
			expected.add(new Expected(file, half, TcpState.FIN_WAIT2, false));
			expected.add(new Expected(file, half.mirror(), TcpState.CLOSE_WAIT, false));
		}
		catch (IOException e) {
			throw new IllegalStateException("cannot open loopback sockets on " + address, e);
		}
	}

	private SocketChannel[] pair(ProtocolFamily family, ServerSocketChannel server) throws IOException {
		SocketChannel client = keep(SocketChannel.open(family));
		client.connect(server.getLocalAddress());
		SocketChannel accepted = keep(server.accept());
		return new SocketChannel[] { client, accepted };
	}

	private <T extends AutoCloseable> T keep(T closeable) {
		this.open.add(closeable);
		return closeable;
	}

	private static SocketTuple tuple(SocketChannel channel) throws IOException {
		InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
		InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
		return new SocketTuple(endpoint(local.getAddress(), local.getPort()),
				endpoint(remote.getAddress(), remote.getPort()));
	}

	private static Endpoint endpoint(InetAddress address, int port) {
		byte[] bytes = address.getAddress();
		if (bytes.length == 4) {
			return Endpoint.ipv4(ByteBuffer.wrap(bytes).getInt(), port);
		}
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		return new Endpoint(buffer.getLong(), buffer.getLong(), port);
	}

	private static Optional<InetAddress> ipv6Loopback() {
		try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
			InetAddress loopback = InetAddress.getByName("::1");
			probe.bind(new InetSocketAddress(loopback, 0));
			return Optional.of(loopback);
		}
		catch (IOException | UnsupportedOperationException e) {
			return Optional.empty();
		}
	}

	/** The closes above finish on loopback at once, but asynchronously; wait until /proc shows them. */
	private static void awaitStates(SocketTableSource proc, List<Expected> expected) {
		Awaitility.await("loopback sockets to reach their states")
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.untilAsserted(() -> {
				SocketTable table = proc.read();
				for (Expected socket : expected) {
					TcpSocket found = table.find(socket.tuple());
					assertThat(found).as("%s", socket).isNotNull();
					assertThat(found.state()).as("%s", socket).isEqualTo(socket.state());
					assertThat(found.inode() == 0).as("%s is a minisocket", socket).isEqualTo(socket.minisocket());
					assertThat(found.file()).as("%s", socket).isEqualTo(socket.file());
				}
			});
	}

	private static Set<Seen> seen(SocketTable table, Set<Integer> ports) {
		return table.sockets()
			.stream()
			.filter(s -> ports.contains(s.local().port()) || ports.contains(s.remote().port()))
			.map(s -> new Seen(s.file(), s.tuple(), s.state(), s.inode()))
			.collect(Collectors.toSet());
	}
}
