/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ledger on real loopback sockets, fed the way the agent's hooks feed it. */
class LedgerTests {

	private static final SocketTableSource PROC = new SocketTableProcSource(Path.of("/proc/net"));

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void recordsEachEndUnderTheTupleTheTableListsIt() throws Exception {
		for (InetAddress loopback : new InetAddress[] { InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1") }) {
			Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
			ServerSocket server = LoopbackConnections.keep(new ServerSocket(0, 50, loopback));
			ledger.opened(server, LedgerSocket.Kind.LISTENING, (InetSocketAddress) server.getLocalSocketAddress(), null);
			Socket client = LoopbackConnections.keep(new Socket(loopback, server.getLocalPort()));
			ledger.opened(client, LedgerSocket.Kind.CONNECTED, (InetSocketAddress) client.getLocalSocketAddress(),
					(InetSocketAddress) client.getRemoteSocketAddress());
			Socket accepted = LoopbackConnections.keep(server.accept());
			ledger.opened(accepted, LedgerSocket.Kind.ACCEPTED, (InetSocketAddress) accepted.getLocalSocketAddress(),
					(InetSocketAddress) accepted.getRemoteSocketAddress());

			SocketTable table = PROC.read(EnumSet.of(TcpState.ESTABLISHED));
			TcpSocket clientRow = table.sockets().stream()
				.filter(s -> s.local().port() == client.getLocalPort() && s.remote().port() == server.getLocalPort())
				.findFirst()
				.orElseThrow();
			TcpSocket acceptedRow = table.find(clientRow.tuple().mirror());

			assertThat(ledger.find(clientRow.tuple())).satisfies(record -> {
				assertThat(record.kind()).isEqualTo(LedgerSocket.Kind.CONNECTED);
				assertThat(record.role()).isEqualTo(Finding.Role.CLIENT);
				assertThat(record.opened().thread()).isEqualTo(Thread.currentThread().getName());
			});
			assertThat(acceptedRow).isNotNull();
			assertThat(ledger.find(acceptedRow.tuple())).satisfies(record -> {
				assertThat(record.kind()).isEqualTo(LedgerSocket.Kind.ACCEPTED);
				assertThat(record.role()).isEqualTo(Finding.Role.SERVER);
				assertThat(record.listener()).isEqualTo(acceptedRow.local());
			});
		}
	}

	@Test
	void findsAListenerUnderTheAddressTheTableListsIt() throws Exception {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		ServerSocket loopback = LoopbackConnections.keep(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
		ServerSocket wildcard = LoopbackConnections.keep(new ServerSocket(0));
		for (ServerSocket listener : List.of(loopback, wildcard)) {
			ledger.opened(listener, LedgerSocket.Kind.LISTENING, (InetSocketAddress) listener.getLocalSocketAddress(), null);
		}

		SocketTable table = PROC.read(EnumSet.of(TcpState.LISTEN));
		for (ServerSocket listener : List.of(loopback, wildcard)) {
			TcpSocket row = table.sockets().stream()
				.filter(s -> s.local().port() == listener.getLocalPort())
				.findFirst()
				.orElseThrow();
			assertThat(ledger.findListener(row.local())).as("the listener on %s", row.local()).satisfies(record -> {
				assertThat(record.kind()).isEqualTo(LedgerSocket.Kind.LISTENING);
				assertThat(record.role()).isEqualTo(Finding.Role.SERVER);
			});
		}
	}

	@Test
	void recordsWhereASocketWasOpenedAndClosedAndWhichTestRan() throws Exception {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		LoopbackConnections.Pair pair = LoopbackConnections.connect();
		ledger.testStarted("[test:one]");
		ledger.opened(pair.client(), LedgerSocket.Kind.CONNECTED, local(pair.client()), remote(pair.client())); int opened = new Throwable().getStackTrace()[0].getLineNumber();
		ledger.closed(pair.client()); int closed = new Throwable().getStackTrace()[0].getLineNumber();
		ledger.closed(pair.client());
		ledger.testFinished();

		LedgerSocket record = ledger.find(tuple(pair.client()));
		assertThat(record.opened().testId()).isEqualTo("[test:one]");
		assertThat(LedgerFrames.anchor(record.opened().stack().getStackTrace(), java.util.List.of(LedgerTests.class.getName())))
			.hasToString(LedgerTests.class.getName() + ".recordsWhereASocketWasOpenedAndClosedAndWhichTestRan(LedgerTests.java:"
					+ opened + ")");
		assertThat(LedgerFrames.anchor(record.closed().stack().getStackTrace(), java.util.List.of(LedgerTests.class.getName())).getLineNumber())
			.as("the first close counts; the second is ignored")
			.isEqualTo(closed);
		assertThat(ledger.closedDuring(tuple(pair.client()), "[test:one]")).isTrue();
		assertThat(ledger.closedDuring(tuple(pair.client()), "[test:two]")).isFalse();
	}

	@Test
	void theEndThatClosesSecondKeepsItsTestButNoStackWhicheverEndOpenedFirst() throws Exception {
		for (boolean acceptedFirst : new boolean[] { false, true }) {
			Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
			LoopbackConnections.Pair pair = LoopbackConnections.connect();
			ledger.testStarted("[test:one]");
			if (acceptedFirst) {
				ledger.opened(pair.accepted(), LedgerSocket.Kind.ACCEPTED, local(pair.accepted()), remote(pair.accepted()));
			}
			ledger.opened(pair.client(), LedgerSocket.Kind.CONNECTED, local(pair.client()), remote(pair.client()));
			if (!acceptedFirst) {
				ledger.opened(pair.accepted(), LedgerSocket.Kind.ACCEPTED, local(pair.accepted()), remote(pair.accepted()));
			}
			ledger.closed(pair.client());
			ledger.closed(pair.accepted());
			ledger.testFinished();

			LedgerSocket.Event first = ledger.find(tuple(pair.client())).closed();
			LedgerSocket.Event second = ledger.find(tuple(pair.accepted())).closed();
			assertThat(first.stack()).as("the end that closed first, which could be left in FIN_WAIT2").isNotNull();
			assertThat(first.afterPeer()).isFalse();
			assertThat(second.stack()).as("the end that closed second").isNull();
			assertThat(second.afterPeer()).isTrue();
			assertThat(second.byCleaner()).isFalse();
			assertThat(second.thread()).isEqualTo(Thread.currentThread().getName());
			assertThat(ledger.closedDuring(tuple(pair.accepted()), "[test:one]"))
				.as("a close without its stack still counts for the test it ran in")
				.isTrue();
		}
	}

	@Test
	void aSocketWhosePeerIsNotThisJvmsAlwaysKeepsItsCloseStack() throws Exception {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		LoopbackConnections.Pair pair = LoopbackConnections.connect();
		// Only one end recorded, as when the peer is another process.
		ledger.opened(pair.accepted(), LedgerSocket.Kind.ACCEPTED, local(pair.accepted()), remote(pair.accepted()));
		pair.client().close();
		ledger.closed(pair.accepted());

		assertThat(ledger.find(tuple(pair.accepted())).closed().stack()).isNotNull();
	}

	@Test
	void aThreadWithoutATestGetsTheOnlyRunningTestAndNoneWhenTwoRun() throws Exception {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		ledger.testStarted("[test:one]");
		assertThat(onAnotherThread(ledger::currentTest)).as("a pool thread while one test runs").isEqualTo("[test:one]");

		onAnotherThread(() -> {
			ledger.testStarted("[test:two]");
			return null;
		});

		assertThat(onAnotherThread(ledger::currentTest)).as("a pool thread while two tests run").isNull();
		assertThat(ledger.currentTest()).as("the test's own thread").isEqualTo("[test:one]");
		ledger.testFinished();
		assertThat(ledger.currentTest()).as("after the test, the other test's").isEqualTo("[test:two]");
	}

	@Test
	void dropsAClosedSocketOnceItsTupleLeftTheTableButKeepsOneClosedAfterTheReadBegan() throws Exception {
		AtomicLong now = new AtomicLong();
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), now::get);
		LoopbackConnections.Pair pair = LoopbackConnections.connect();
		ledger.opened(pair.client(), LedgerSocket.Kind.CONNECTED, local(pair.client()), remote(pair.client()));
		now.set(10);
		ledger.closed(pair.client());

		ledger.forgetAbsent(Set.of(), 5);
		assertThat(ledger.size()).as("closed after the read began").isEqualTo(1);
		ledger.forgetAbsent(Set.of(), 10);
		assertThat(ledger.size()).as("closed the instant the read began").isEqualTo(1);
		ledger.forgetAbsent(Set.of(tuple(pair.client())), 20);
		assertThat(ledger.size()).as("still in the table").isEqualTo(1);
		ledger.forgetAbsent(Set.of(), 20);
		assertThat(ledger.size()).isZero();
		assertThat(ledger.find(tuple(pair.client()))).isNull();
	}

	@Test
	void dropsAClosedSocketAfterTheOrphanTimeout() throws Exception {
		AtomicLong now = new AtomicLong();
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), now::get);
		LoopbackConnections.Pair pair = LoopbackConnections.connect();
		ledger.opened(pair.client(), LedgerSocket.Kind.CONNECTED, local(pair.client()), remote(pair.client()));
		ledger.opened(pair.accepted(), LedgerSocket.Kind.ACCEPTED, local(pair.accepted()), remote(pair.accepted()));
		ledger.closed(pair.client());
		now.set(Duration.ofSeconds(70).toNanos() - 1);
		ledger.closed(new Object());
		assertThat(ledger.size()).isEqualTo(2);

		now.set(Duration.ofSeconds(70).toNanos());
		ledger.forgetAbsent(Set.of(tuple(pair.client())), 0);

		assertThat(ledger.size()).as("the open socket stays, the closed one is past the timeout").isEqualTo(1);
		assertThat(ledger.find(tuple(pair.accepted()))).isNotNull();
		assertThat(ledger.find(tuple(pair.client()))).isNull();
	}

	@Test
	void everyOpenAndCloseDropsTheClosedRecordsPastTheOrphanTimeout() {
		AtomicLong now = new AtomicLong();
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), now::get);
		Object first = new Object();
		Object second = new Object();
		Object third = new Object();
		ledger.opened(first, LedgerSocket.Kind.CONNECTED, address(40_001), address(8080));
		ledger.opened(second, LedgerSocket.Kind.CONNECTED, address(40_002), address(8080));
		ledger.closed(first);

		now.set(Duration.ofSeconds(70).toNanos());
		ledger.closed(second);
		assertThat(ledger.size()).as("a close drops what closed one timeout ago").isEqualTo(1);
		assertThat(ledger.find(tuple(40_001, 8080))).isNull();

		now.set(Duration.ofSeconds(140).toNanos());
		ledger.opened(third, LedgerSocket.Kind.CONNECTED, address(40_003), address(8080));
		assertThat(ledger.size()).as("so does an open").isEqualTo(1);
		assertThat(ledger.find(tuple(40_002, 8080))).isNull();
		assertThat(ledger.find(tuple(40_003, 8080))).isNotNull();
		Reference.reachabilityFence(third);
	}

	@Test
	void aDroppedRecordIsNotKeptAliveByItsOtherEndsLink() throws Exception {
		AtomicLong now = new AtomicLong();
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), now::get);
		Object client = new Object();
		Object accepted = new Object();
		ledger.opened(client, LedgerSocket.Kind.CONNECTED, address(40_001), address(8080));
		ledger.opened(accepted, LedgerSocket.Kind.ACCEPTED, address(8080), address(40_001));
		ledger.closed(client);
		java.lang.ref.WeakReference<LedgerSocket> dropped = new java.lang.ref.WeakReference<>(ledger.find(tuple(40_001, 8080)));

		now.set(10);
		ledger.forgetAbsent(Set.of(tuple(8080, 40_001)), 5);
		assertThat(ledger.find(tuple(40_001, 8080))).as("closed, and gone from the table").isNull();
		for (int i = 0; i < 50 && dropped.get() != null; i++) {
			System.gc();
			Thread.sleep(20);
		}

		assertThat(dropped.get()).as("the open end's link to it is broken").isNull();
		assertThat(ledger.find(tuple(8080, 40_001))).isNotNull();
		Reference.reachabilityFence(accepted);
	}

	@Test
	void listsTheConnectionsClosedDuringATestButNotItsListenersNorOthersClosesNorOpenSockets() {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		Object client = new Object();
		Object accepted = new Object();
		Object listener = new Object();
		Object open = new Object();
		ledger.testStarted("[test:one]");
		ledger.opened(listener, LedgerSocket.Kind.LISTENING, address(8080), null);
		ledger.opened(client, LedgerSocket.Kind.CONNECTED, address(40_001), address(9090));
		ledger.opened(accepted, LedgerSocket.Kind.ACCEPTED, address(8080), address(40_002));
		ledger.opened(open, LedgerSocket.Kind.CONNECTED, address(40_003), address(9090));
		ledger.closed(client);
		ledger.closed(listener);
		ledger.testFinished();
		ledger.testStarted("[test:two]");
		ledger.closed(accepted);
		ledger.testFinished();

		assertThat(ledger.closedDuring("[test:one]")).containsExactly(tuple(40_001, 9090));
		assertThat(ledger.closedDuring("[test:two]")).containsExactly(tuple(8080, 40_002));
		assertThat(ledger.closedDuring("[test:three]")).isEmpty();
		Reference.reachabilityFence(open);
	}

	@Test
	void anOpenOnAPoolThreadIsTheRunningTestsButNotOnTheTestsOwnThread() throws Exception {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		Object own = new Object();
		Object pooled = new Object();
		ledger.testStarted("[test:one]");
		ledger.opened(own, LedgerSocket.Kind.CONNECTED, address(40_001), address(8080));
		String pool = onAnotherThread(() -> {
			ledger.opened(pooled, LedgerSocket.Kind.CONNECTED, address(40_002), address(8080));
			return Thread.currentThread().getName();
		});
		ledger.testFinished();

		assertThat(ledger.find(tuple(40_001, 8080)).opened()).satisfies(opened -> {
			assertThat(opened.testId()).isEqualTo("[test:one]");
			assertThat(opened.onTestThread()).isTrue();
			assertThat(opened.thread()).isEqualTo(Thread.currentThread().getName());
		});
		assertThat(ledger.find(tuple(40_002, 8080)).opened()).satisfies(opened -> {
			assertThat(opened.testId()).as("the only test running").isEqualTo("[test:one]");
			assertThat(opened.onTestThread()).isFalse();
			assertThat(opened.thread()).isEqualTo(pool);
		});
		Reference.reachabilityFence(own);
		Reference.reachabilityFence(pooled);
	}

	@Test
	void countsEveryOpenAndCloseItIsToldOfRecordedOrNot() {
		Ledger ledger = new Ledger(1, Duration.ofSeconds(70), System::nanoTime);
		Object first = new Object();
		Object second = new Object();
		assertThat(ledger.openedOrClosed()).isZero();
		ledger.opened(first, LedgerSocket.Kind.CONNECTED, address(40_001), address(8080));
		assertThat(ledger.openedOrClosed()).isEqualTo(1);
		ledger.opened(second, LedgerSocket.Kind.CONNECTED, address(40_002), address(8080));
		assertThat(ledger.unrecorded()).as("full of open sockets").isEqualTo(1);
		assertThat(ledger.openedOrClosed()).isEqualTo(2);
		ledger.closed(first);
		assertThat(ledger.openedOrClosed()).isEqualTo(3);
		Reference.reachabilityFence(second);
	}

	@Test
	void aListenersRemoteIsTheWildcardOfItsFamilyAsTheTableListsIt() throws Exception {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		Object v4 = new Object();
		Object v6 = new Object();
		InetSocketAddress v4Address = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080);
		InetSocketAddress v6Address = new InetSocketAddress(InetAddress.getByName("::1"), 8080);
		ledger.opened(v4, LedgerSocket.Kind.LISTENING, v4Address, null);
		ledger.opened(v6, LedgerSocket.Kind.LISTENING, v6Address, null);

		assertThat(ledger.findListener(Ledger.endpoint(v4Address)).tuple())
			.isEqualTo(new SocketTuple(Ledger.endpoint(v4Address), Endpoint.ipv4(0, 0)));
		assertThat(ledger.findListener(Ledger.endpoint(v6Address)).tuple())
			.isEqualTo(new SocketTuple(Ledger.endpoint(v6Address), new Endpoint(0, 0, 0)));
		assertThat(ledger.findListener(Ledger.endpoint(v4Address)).tuple()).hasToString("127.0.0.1:8080 -> 0.0.0.0:0");
		Reference.reachabilityFence(v4);
		Reference.reachabilityFence(v6);
	}

	@Test
	void readsEveryByteOfAnAddressInTheOrderTheTablePrintsIt() throws Exception {
		assertThat(Ledger.endpoint(new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:9abc:def0:fedc:ba98"), 443)))
			.isEqualTo(new Endpoint(0x20010db812345678L, 0x9abcdef0fedcba98L, 443));
		assertThat(Ledger.endpoint(new InetSocketAddress(InetAddress.getByName("192.168.1.2"), 80)))
			.isEqualTo(Endpoint.ipv4(0xc0a80102, 80))
			.hasToString("192.168.1.2:80");
		assertThat(Ledger.endpoint(InetSocketAddress.createUnresolved("example.com", 80))).as("no address").isNull();
	}

	@Test
	void theSameSocketReportedOpenTwiceIsDescribedByTheNewerReportOnly() {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		Object socket = new Object();
		ledger.opened(socket, LedgerSocket.Kind.CONNECTED, address(40_001), address(8080));
		ledger.opened(socket, LedgerSocket.Kind.CONNECTED, address(40_002), address(8080));

		assertThat(ledger.size()).isEqualTo(1);
		assertThat(ledger.find(tuple(40_001, 8080))).isNull();
		assertThat(ledger.find(tuple(40_002, 8080))).hasToString("connected 127.0.0.1:40002 -> 127.0.0.1:8080");

		ledger.closed(socket);
		assertThat(ledger.size()).isEqualTo(1);
		assertThat(ledger.find(tuple(40_002, 8080))).hasToString("connected 127.0.0.1:40002 -> 127.0.0.1:8080, closed");
	}

	@Test
	void aSocketCollectedUnclosedCountsAsClosedByNobodyAndIsNeverKeptAlive() throws Exception {
		Ledger ledger = new Ledger(100, Duration.ofSeconds(70), System::nanoTime);
		InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40_000);
		InetSocketAddress remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
		SocketTuple tuple = new SocketTuple(Ledger.endpoint(local), Ledger.endpoint(remote));
		java.lang.ref.WeakReference<Object> dropped = openAndDrop(ledger, local, remote);

		for (int i = 0; i < 50 && (dropped.get() != null || ledger.find(tuple).closed() == null); i++) {
			System.gc();
			Thread.sleep(20);
			ledger.forgetAbsent(Set.of(tuple), 0); // housekeeping, which notes collected sockets
		}

		assertThat(dropped.get()).as("the ledger holds an open socket weakly").isNull();
		assertThat(ledger.find(tuple).closed()).satisfies(close -> {
			assertThat(close).isNotNull();
			assertThat(close.stack()).as("no thread closed it").isNull();
			assertThat(close.collectedUnclosed()).as("no cleaner reported closing it").isTrue();
			assertThat(close.byCleaner()).isFalse();
		});
	}

	private static java.lang.ref.WeakReference<Object> openAndDrop(Ledger ledger, InetSocketAddress local,
			InetSocketAddress remote) {
		Object socket = new Object();
		ledger.opened(socket, LedgerSocket.Kind.CONNECTED, local, remote);
		return new java.lang.ref.WeakReference<>(socket);
	}

	@Test
	void orphanTimeoutIsTheKernelsFinTimeoutPlusAMarginAndNeverBelowTheDefault(@org.junit.jupiter.api.io.TempDir Path dir)
			throws Exception {
		java.nio.file.Files.writeString(dir.resolve("fin"), "120\n");
		java.nio.file.Files.writeString(dir.resolve("short"), "5\n");

		assertThat(Ledger.orphanTimeout(dir.resolve("fin"))).isEqualTo(Duration.ofSeconds(130));
		assertThat(Ledger.orphanTimeout(dir.resolve("short"))).isEqualTo(Duration.ofSeconds(70));
		assertThat(Ledger.orphanTimeout(dir.resolve("missing"))).isEqualTo(Duration.ofSeconds(70));
	}

	@Test
	void whenFullEvictsTheOldestClosedRecordAndNeverAnOpenOne() throws Exception {
		Ledger ledger = new Ledger(3, Duration.ofSeconds(70), System::nanoTime);
		Object[] sockets = { new Object(), new Object(), new Object(), new Object() };
		InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
		for (int i = 0; i < 3; i++) {
			ledger.opened(sockets[i], LedgerSocket.Kind.CONNECTED, local,
					new InetSocketAddress(InetAddress.getLoopbackAddress(), 100 + i));
		}
		ledger.opened(sockets[3], LedgerSocket.Kind.CONNECTED, local, new InetSocketAddress(InetAddress.getLoopbackAddress(), 103));
		assertThat(ledger.size()).isEqualTo(3);
		assertThat(ledger.unrecorded()).as("three open sockets fill it").isEqualTo(1);

		ledger.closed(sockets[1]);
		ledger.closed(sockets[0]);
		ledger.opened(sockets[3], LedgerSocket.Kind.CONNECTED, local, new InetSocketAddress(InetAddress.getLoopbackAddress(), 103));

		assertThat(ledger.size()).isEqualTo(3);
		assertThat(ledger.find(new SocketTuple(Ledger.endpoint(local), port(101)))).as("oldest closed: evicted").isNull();
		assertThat(ledger.find(new SocketTuple(Ledger.endpoint(local), port(100)))).isNotNull();
		assertThat(ledger.find(new SocketTuple(Ledger.endpoint(local), port(102)))).isNotNull();
		assertThat(ledger.find(new SocketTuple(Ledger.endpoint(local), port(103)))).isNotNull();
	}

	/**
	 * The memory bound, measured: 20,000 real loopback connections opened and closed with the
	 * ledger recording every end, as the agent would. The first 10,000 with no read of the table
	 * in between, as one long test: the cap holds. The next 10,000 with a read every 1,000, as a
	 * suite of tests: each read drops the records of closed sockets the table no longer lists, so
	 * the ledger holds at most the listener, the 2,000 ends closed since the last read, and what
	 * the last read kept.
	 */
	@Test
	void twentyThousandConnectionsStayWithinTheBound() throws Exception {
		Ledger ledger = new Ledger(Ledger.CAPACITY, Ledger.orphanTimeout(Path.of("/proc/sys/net/ipv4/tcp_fin_timeout")),
				System::nanoTime);
		int mostWithoutReads = 0;
		int mostWithReads = 0;
		int keptByARead = 0;
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		try (ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
			ledger.opened(server, LedgerSocket.Kind.LISTENING, (InetSocketAddress) server.getLocalSocketAddress(), null);
			for (int i = 0; i < 20_000; i++) {
				assertThat(System.nanoTime()).as("connection %d within two minutes", i).isLessThan(deadline);
				try (Socket client = new Socket()) {
					client.setSoLinger(true, 0); // a reset, not 20,000 TIME_WAITs holding ports other tests need
					client.connect(server.getLocalSocketAddress(), 5_000);
					ledger.opened(client, LedgerSocket.Kind.CONNECTED, local(client), remote(client));
					try (Socket accepted = server.accept()) {
						ledger.opened(accepted, LedgerSocket.Kind.ACCEPTED, local(accepted), remote(accepted));
						ledger.closed(accepted);
					}
					ledger.closed(client);
				}
				if (i < 10_000) {
					mostWithoutReads = Math.max(mostWithoutReads, ledger.size());
				}
				else {
					mostWithReads = Math.max(mostWithReads, ledger.size());
				}
				// A read ends the first half, then one every 1,000.
				if (i >= 9_999 && i % 1_000 == 999) {
					long readStart = ledger.now();
					SocketTable table = PROC.read(Check.observedStates(CheckConfiguration.DEFAULT_STATES));
					ledger.forgetAbsent(table.byTuple().keySet(), readStart);
					keptByARead = Math.max(keptByARead, ledger.size());
				}
			}
		}
		System.out.printf("ledger: 20,000 connections; at most %,d records with no read of the table, %,d with a read"
				+ " every 1,000 (capacity %,d; a read kept at most %,d)%n", mostWithoutReads, mostWithReads, Ledger.CAPACITY,
				keptByARead);
		assertThat(mostWithoutReads).isLessThanOrEqualTo(Ledger.CAPACITY);
		assertThat(mostWithReads).as("what a read kept and the 2,000 ends closed since").isLessThanOrEqualTo(keptByARead + 2_000);
		assertThat(keptByARead).as("the listener, and closed ends the table still lists").isLessThan(1_000);
	}

	private static InetSocketAddress local(Socket socket) {
		return (InetSocketAddress) socket.getLocalSocketAddress();
	}

	private static InetSocketAddress remote(Socket socket) {
		return (InetSocketAddress) socket.getRemoteSocketAddress();
	}

	private static SocketTuple tuple(Socket socket) {
		return new SocketTuple(Ledger.endpoint(local(socket)), Ledger.endpoint(remote(socket)));
	}

	private static Endpoint port(int port) {
		return Ledger.endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
	}

	private static InetSocketAddress address(int port) {
		return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
	}

	private static SocketTuple tuple(int localPort, int remotePort) {
		return new SocketTuple(port(localPort), port(remotePort));
	}

	private static <T> T onAnotherThread(java.util.concurrent.Callable<T> task) throws Exception {
		java.util.concurrent.FutureTask<T> future = new java.util.concurrent.FutureTask<>(task);
		Thread thread = new Thread(future);
		thread.start();
		return future.get(10, java.util.concurrent.TimeUnit.SECONDS);
	}
}
