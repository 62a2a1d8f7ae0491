/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The exact text users see, built from findings on captured tables. */
class MessagesTests {

	@Test
	void listsEachSocketWithRoleRuleAndOtherEndThenOneHintPerState() throws Exception {
		SocketTable table = CapturedTables.table("loopback-states");
		TcpSocket closeWait = CapturedTables.find(table, TcpState.CLOSE_WAIT, 54309, 37106);
		TcpSocket finWait2 = CapturedTables.find(table, TcpState.FIN_WAIT2, 37106, 54309);
		TcpSocket halfClosed = CapturedTables.find(table, TcpState.FIN_WAIT2, 46192, 59687);
		TcpSocket listener = CapturedTables.find(table, TcpState.LISTEN, 54309, 0);
		List<Finding> findings = List.of(
				new Finding(finWait2, new Ownership(OwnershipRule.MIRROR, closeWait), Finding.Role.CLIENT, closeWait),
				new Finding(halfClosed, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.UNKNOWN, null),
				new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, finWait2),
				new Finding(closeWait, new Ownership(OwnershipRule.LISTENER, listener), Finding.Role.SERVER, null),
				new Finding(closeWait, new Ownership(OwnershipRule.SEEN_BEFORE, null), Finding.Role.SERVER, null));

		String message = Messages.lingering("LeakyTests.leaks()", 1, Duration.ofSeconds(1), findings);

		assertThat(message).isEqualTo("""
				5 sockets lingering after LeakyTests.leaks() (tolerance 1):
				  FIN_WAIT2   client end   127.0.0.1:37106 -> 127.0.0.1:54309  rule 2: mirror of this JVM's CLOSE_WAIT socket             other end: CLOSE_WAIT, this JVM's
				  CLOSE_WAIT  server end   127.0.0.1:54309 -> 127.0.0.1:37106  rule 1: inode 3027 is an open fd of this JVM               other end: FIN_WAIT2, this JVM's
				  CLOSE_WAIT  server end   127.0.0.1:54309 -> 127.0.0.1:37106  rule 3: local port is this JVM's listener 127.0.0.1:54309
				  CLOSE_WAIT  server end   127.0.0.1:54309 -> 127.0.0.1:37106  rule 4: 4-tuple seen owned by this JVM earlier
				  FIN_WAIT2   unknown end  [::1]:46192 -> [::1]:59687          rule 1: inode 3044 is an open fd of this JVM
				Hints:
				  still FIN_WAIT2 after 1 s of grace: this JVM closed (or called shutdownOutput()), and the peer has not closed its end.
				  still CLOSE_WAIT after 1 s of grace: the peer closed, and this JVM has not called close() on its end.
				  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, and which nolinger.grace (now 1 s) would have passed; raise it only for a late close.
				To see where each socket was opened, run the tests with -javaagent:<the nolinger-junit jar> (README: "Where a socket was opened").""");
	}

	@Test
	void singleSocketIsSingular() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309,
				37106);

		assertThat(Messages.lingering("T.t()", 0, Duration.ofMillis(1500),
				List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null))))
			.isEqualTo("""
					1 socket lingering after T.t() (tolerance 0):
					  CLOSE_WAIT  server end  127.0.0.1:54309 -> 127.0.0.1:37106  rule 1: inode 3027 is an open fd of this JVM
					Hints:
					  still CLOSE_WAIT after 1500 ms of grace: the peer closed, and this JVM has not called close() on its end.
					  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, and which nolinger.grace (now 1500 ms) would have passed; raise it only for a late close.
					To see where each socket was opened, run the tests with -javaagent:<the nolinger-junit jar> (README: "Where a socket was opened").""");
	}

	@Test
	void notesSocketsTheBaselineAllows() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309,
				37106);

		assertThat(Messages.lingering("T.t()", 0, Duration.ofMillis(1500),
				List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null)), 1,
				"nolinger-baseline.tsv"))
			.endsWith("""
					  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, and which nolinger.grace (now 1500 ms) would have passed; raise it only for a late close.
					Not counted: 1 more socket that the baseline nolinger-baseline.tsv allows this test.
					To see where each socket was opened, run the tests with -javaagent:<the nolinger-junit jar> (README: "Where a socket was opened").""");
	}

	@Test
	void tracedRowsShowFramesAndTheMessageEndsWithTheFirstFix() throws Exception {
		SocketTable table = CapturedTables.table("loopback-states");
		TcpSocket closeWait = CapturedTables.find(table, TcpState.CLOSE_WAIT, 54309, 37106);
		TcpSocket finWait2 = CapturedTables.find(table, TcpState.FIN_WAIT2, 37106, 54309);
		TcpSocket halfClosed = CapturedTables.find(table, TcpState.FIN_WAIT2, 46192, 59687);
		LedgerSocket accepted = new LedgerSocket(LedgerSocket.Kind.ACCEPTED, closeWait.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "worker-1", null, 0)); int acceptedLine = line();
		LedgerSocket connected = new LedgerSocket(LedgerSocket.Kind.CONNECTED, finWait2.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int connectedLine = line();
		connected.close(new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int closedLine = line();
		LedgerSocket halfCloser = new LedgerSocket(LedgerSocket.Kind.CONNECTED, halfClosed.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int halfLine = line();
		List<Finding> findings = List.of(
				new Finding(finWait2, new Ownership(OwnershipRule.MIRROR, closeWait), Finding.Role.CLIENT, closeWait, connected),
				new Finding(halfClosed, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.CLIENT, null, halfCloser),
				new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, finWait2, accepted));
		String at = "\tat dev.nolinger.MessagesTests.tracedRowsShowFramesAndTheMessageEndsWithTheFirstFix(MessagesTests.java:";

		assertThat(Messages.lingering("LeakyTests.leaks()", List.of(MessagesTests.class.getName()), 0, Duration.ofSeconds(1), findings, 0,
				"", true))
			.isEqualTo("""
					3 sockets lingering after LeakyTests.leaks() (tolerance 0):
					  FIN_WAIT2   client end  127.0.0.1:37106 -> 127.0.0.1:54309  rule 2: mirror of this JVM's CLOSE_WAIT socket  other end: CLOSE_WAIT, this JVM's
					    connected on thread "main":
					%1$s%2$d)
					    closed on thread "main":
					%1$s%3$d)
					  CLOSE_WAIT  server end  127.0.0.1:54309 -> 127.0.0.1:37106  rule 1: inode 3027 is an open fd of this JVM    other end: FIN_WAIT2, this JVM's
					    accepted on thread "worker-1":
					%1$s%4$d)
					  FIN_WAIT2   client end  [::1]:46192 -> [::1]:59687          rule 1: inode 3044 is an open fd of this JVM
					    connected on thread "main":
					%1$s%5$d)
					Hints:
					  still FIN_WAIT2 after 1 s of grace: this JVM closed (or called shutdownOutput()), and the peer has not closed its end.
					  still CLOSE_WAIT after 1 s of grace: the peer closed, and this JVM has not called close() on its end.
					  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, and which nolinger.grace (now 1 s) would have passed; raise it only for a late close.
					Fix: close the server end opened at MessagesTests.java:%4$d (CLOSE_WAIT: the client closed; this JVM had not closed it within 1 s of grace). 1 more socket above needs a fix too."""
				.formatted(at, connectedLine, closedLine, acceptedLine, halfLine));
		assertThat(Messages.fix(List.of(findings.get(1)), List.of(MessagesTests.class.getName()), Duration.ofSeconds(1))).hasValue(
				"Fix: make the peer [::1]:59687 close its end too; this JVM shut down the output of the client end opened at"
						+ " MessagesTests.java:" + halfLine + " (FIN_WAIT2: the peer had not closed its end within 1 s of grace).");
	}

	@Test
	void aCloseWithoutAStackSaysWhetherTheCleanerNobodyOrTheThreadThatClosedSecondDidIt() throws Exception {
		SocketTable table = CapturedTables.table("loopback-states");
		TcpSocket finWait2 = CapturedTables.find(table, TcpState.FIN_WAIT2, 37106, 54309);
		TcpSocket halfClosed = CapturedTables.find(table, TcpState.FIN_WAIT2, 46192, 59687);
		TcpSocket closeWait = CapturedTables.find(table, TcpState.CLOSE_WAIT, 54309, 37106);
		LedgerSocket cleaned = new LedgerSocket(LedgerSocket.Kind.CONNECTED, finWait2.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int cleanedLine = line();
		cleaned.close(LedgerSocket.Event.cleaned("Common-Cleaner", 0));
		LedgerSocket second = new LedgerSocket(LedgerSocket.Kind.CONNECTED, halfClosed.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int secondLine = line();
		second.close(new LedgerSocket.Event(null, "pool-2", "[test:t]", 0, true, true));
		LedgerSocket collected = new LedgerSocket(LedgerSocket.Kind.ACCEPTED, closeWait.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int collectedLine = line();
		collected.close(LedgerSocket.Event.collected(0));
		String at = "\tat dev.nolinger.MessagesTests.aCloseWithoutAStackSaysWhetherTheCleanerNobodyOrTheThreadThatClosedSecondDidIt(MessagesTests.java:";

		assertThat(Messages.lingering("T.t()", List.of(MessagesTests.class.getName()), 0, Duration.ofSeconds(1),
				List.of(new Finding(finWait2, new Ownership(OwnershipRule.MIRROR, closeWait), Finding.Role.CLIENT, null, cleaned),
						new Finding(halfClosed, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.CLIENT, null, second),
						new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null, collected)),
				0, "", true))
			.startsWith("""
					3 sockets lingering after T.t() (tolerance 0):
					  FIN_WAIT2   client end  127.0.0.1:37106 -> 127.0.0.1:54309  rule 2: mirror of this JVM's CLOSE_WAIT socket
					    connected on thread "main":
					%1$s%2$d)
					    closed by the JDK's cleaner on thread "Common-Cleaner": the socket was garbage-collected without close(), a leak that no grace fixes
					  CLOSE_WAIT  server end  127.0.0.1:54309 -> 127.0.0.1:37106  rule 1: inode 3027 is an open fd of this JVM
					    accepted on thread "main":
					%1$s%4$d)
					    its socket object was garbage-collected without close(), and its fd is still open: NIO channels register no cleaner, so nothing closes it until this JVM exits
					  FIN_WAIT2   client end  [::1]:46192 -> [::1]:59687          rule 1: inode 3044 is an open fd of this JVM
					    connected on thread "main":
					%1$s%3$d)
					    closed on thread "pool-2" after its other end, which this JVM closed first
					Hints:"""
				.formatted(at, cleanedLine, secondLine, collectedLine));
	}

	@Test
	void framesTheMessageAlreadyShowsAreNamedByTheirLineAndTheErrorsStackIsTheFixsLineOnly() throws Exception {
		SocketTable table = CapturedTables.table("loopback-states");
		TcpSocket closeWait = CapturedTables.find(table, TcpState.CLOSE_WAIT, 54309, 37106);
		TcpSocket finWait2 = CapturedTables.find(table, TcpState.FIN_WAIT2, 37106, 54309);
		LedgerSocket.Event[] onOneLine = { new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0), new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0) }; int oneLine = line();
		LedgerSocket accepted = new LedgerSocket(LedgerSocket.Kind.ACCEPTED, finWait2.tuple(), null, onOneLine[0]);
		accepted.close(onOneLine[1]);
		LedgerSocket connected = new LedgerSocket(LedgerSocket.Kind.CONNECTED, closeWait.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int connectedLine = line();
		List<Finding> findings = List.of(
				new Finding(finWait2, new Ownership(OwnershipRule.MIRROR, closeWait), Finding.Role.SERVER, closeWait, accepted),
				new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.CLIENT, finWait2, connected));
		List<String> own = List.of(MessagesTests.class.getName());
		String at = "\tat dev.nolinger.MessagesTests.framesTheMessageAlreadyShowsAreNamedByTheirLineAndTheErrorsStackIsTheFixsLineOnly(MessagesTests.java:";

		String message = Messages.lingering("T.t()", own, 0, Duration.ofSeconds(1), findings, 0, "", true);

		assertThat(message).startsWith("""
				2 sockets lingering after T.t() (tolerance 0):
				  FIN_WAIT2   server end  127.0.0.1:37106 -> 127.0.0.1:54309  rule 2: mirror of this JVM's CLOSE_WAIT socket  other end: CLOSE_WAIT, this JVM's
				    accepted on thread "main":
				%1$s%2$d)
				    closed on thread "main" at MessagesTests.java:%2$d, shown above
				  CLOSE_WAIT  client end  127.0.0.1:54309 -> 127.0.0.1:37106  rule 1: inode 3027 is an open fd of this JVM    other end: FIN_WAIT2, this JVM's
				    connected on thread "main":
				%1$s%3$d)
				Hints:"""
			.formatted(at, oneLine, connectedLine));
		StackTraceElement[] stack = Messages.errorStack(findings, own, true);
		assertThat(stack).as("the fix's line, and no frame of the test framework under it").hasSize(1);
		assertThat(stack[0].getLineNumber()).isEqualTo(connectedLine);
	}

	@Test
	void aConnectionAPoolOpenedOnAThreadTheTestStartedNamesThePoolAndTheLineThatStartedThatThread() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309, 37106);
		List<String> own = List.of(MessagesTests.class.getName());
		String test = "[engine:junit-jupiter]/[class:p.LeakyTests]/[method:leaks()]";
		LedgerLineage.started(test);
		ExecutorService executor = Executors.newSingleThreadExecutor(task -> new Thread(task, "io-1")); int clientLine = line();
		try {
			LedgerSocket.Trace inPool = executor.submit(TestConnectionPool::connect).get(10, TimeUnit.SECONDS);
			LedgerLineage lineage = executor.submit(LedgerLineage::ofCurrentThread).get(10, TimeUnit.SECONDS);
			int poolLine = java.util.Arrays.stream(inPool.getStackTrace())
				.filter(frame -> frame.getClassName().equals(TestConnectionPool.class.getName()))
				.findFirst()
				.orElseThrow()
				.getLineNumber();
			LedgerSocket.Event opened = new LedgerSocket.Event(inPool, "io-1", null, 0, false, LedgerSocket.Closer.CALL, lineage);
			List<Finding> pooled = List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.CLIENT, null,
					new LedgerSocket(LedgerSocket.Kind.CONNECTED, closeWait.tuple(), null, opened)));

			String message = Messages.lingering("LeakyTests.leaks()", own, 0, Duration.ofSeconds(1), pooled, 0, "", true);

			assertThat(message).contains("""
					    connected on thread "io-1":
						at dev.nolinger.TestConnectionPool.connect(MessagesTests.java:%1$d)
					    a connection pool holds this connection: TestConnectionPool opened it, and keeps it open for reuse
					    thread "io-1" was started during LeakyTests.leaks() at MessagesTests.java:%2$d
					""".formatted(poolLine, clientLine))
				.endsWith("\nFix: close or evict the connection pool TestConnectionPool, or close the client that owns it: it holds the"
						+ " client end opened on thread \"io-1\", which MessagesTests.java:" + clientLine + " started, and keeps it open"
						+ " after its request (CLOSE_WAIT: the server closed; this JVM had not closed it within 1 s of grace).");
			assertThat(Messages.errorStack(pooled, own, true)[0].getLineNumber()).as("the click lands where the thread was started")
				.isEqualTo(clientLine);
		}
		finally {
			executor.shutdownNow();
			LedgerLineage.finished(test);
		}
	}

	@Test
	void aSocketCollectedWithoutCloseWhoseFdIsNotProvenOpenSaysOnlyThat() throws Exception {
		TcpSocket finWait2 = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.FIN_WAIT2, 37106, 54309);
		LedgerSocket collected = new LedgerSocket(LedgerSocket.Kind.CONNECTED, finWait2.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0));
		collected.close(LedgerSocket.Event.collected(0));

		assertThat(Messages.lingering("T.t()", List.of(MessagesTests.class.getName()), 0, Duration.ofSeconds(1),
				List.of(new Finding(finWait2, new Ownership(OwnershipRule.SEEN_BEFORE, null), Finding.Role.CLIENT, null, collected)),
				0, "", true))
			.contains("\n    its socket object was garbage-collected without close()\nHints:")
			.doesNotContain("cleaner");
	}

	@Test
	void theFixSaysHowLongTheCheckWaitedNotThatTheSocketNeverClosed() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309, 37106);
		List<Finding> findings = List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null));

		assertThat(Messages.fix(findings, List.of(), Duration.ofMillis(1500))).hasValue("Fix: close the server end"
				+ " 127.0.0.1:54309 -> 127.0.0.1:37106 (CLOSE_WAIT: the client closed; this JVM had not closed it within"
				+ " 1500 ms of grace).");
		assertThat(Messages.fix(findings, List.of(), Duration.ZERO)).hasValue("Fix: close the server end"
				+ " 127.0.0.1:54309 -> 127.0.0.1:37106 (CLOSE_WAIT: the client closed; this JVM had not closed it by the end"
				+ " of the test).");
	}

	@Test
	void aSocketOpenedOnAThreadTheTestStartedLeadsToTheLineThatStartedIt() throws Exception {
		SocketTable table = CapturedTables.table("loopback-states");
		TcpSocket closeWait = CapturedTables.find(table, TcpState.CLOSE_WAIT, 54309, 37106);
		TcpSocket listening = CapturedTables.find(table, TcpState.LISTEN, 54309, 0);
		List<String> own = List.of(MessagesTests.class.getName());
		LedgerLineage.started("[engine:junit-jupiter]/[class:p.LeakyTests]/[method:leaks()]");
		// The innermost line of this class that created the thread: the factory's, which builds the pool.
		ExecutorService pool = Executors.newSingleThreadExecutor(task -> new Thread(task, "pool-1")); int poolLine = line();
		try {
			// Method references: the stacks they capture on the pool's thread hold no frame of this class.
			LedgerSocket.Trace onPool = pool.submit(LedgerSocket.Trace::new).get(10, TimeUnit.SECONDS);
			LedgerLineage lineage = pool.submit(LedgerLineage::ofCurrentThread).get(10, TimeUnit.SECONDS);
			LedgerSocket.Event opened = new LedgerSocket.Event(onPool, "pool-1", null, 0, false, LedgerSocket.Closer.CALL, lineage);
			LedgerSocket connected = new LedgerSocket(LedgerSocket.Kind.CONNECTED, closeWait.tuple(), null, opened);
			List<Finding> client = List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.CLIENT, null, connected));

			assertThat(Messages.lingering("LeakyTests.leaks()", own, 0, Duration.ofSeconds(1), client, 0, "", true))
				.contains("\n    connected on thread \"pool-1\":\n")
				.contains("\n    thread \"pool-1\" was started during LeakyTests.leaks() at MessagesTests.java:" + poolLine + "\n")
				.endsWith("\nFix: close the client end opened on thread \"pool-1\", which MessagesTests.java:" + poolLine
						+ " started: close or stop what that line built before the test ends (CLOSE_WAIT: the server closed;"
						+ " this JVM had not closed it within 1 s of grace).");
			assertThat(Messages.fix(client, own, Duration.ofSeconds(1), "OtherTests.other()")).hasValueSatisfying(fix -> assertThat(fix)
				.as("a thread another test started says so").contains(", which MessagesTests.java:" + poolLine
						+ " (during LeakyTests.leaks()) started: "));
			assertThat(Messages.errorStack(client, own, true)[0].getLineNumber()).as("the click lands on that line")
				.isEqualTo(poolLine);

			LedgerSocket listener = new LedgerSocket(LedgerSocket.Kind.LISTENING, listening.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int listenLine = line();
			LedgerSocket accepted = new LedgerSocket(LedgerSocket.Kind.ACCEPTED, closeWait.tuple(), listening.local(), listener, opened);
			List<Finding> server = List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null, accepted));

			assertThat(Messages.lingering("LeakyTests.leaks()", own, 0, Duration.ofSeconds(1), server, 0, "", true))
				.contains("\n    accepted on thread \"pool-1\" by listener 127.0.0.1:54309, started at MessagesTests.java:" + listenLine + ":\n")
				.endsWith("\nFix: the server listening on 127.0.0.1:54309, started at MessagesTests.java:" + listenLine
						+ ", had not closed this accepted connection, which the client closed, within 1 s of grace (CLOSE_WAIT):"
						+ " stop that server, or make it close its connections, before the test ends.");
			assertThat(Messages.errorStack(server, own, true)[0].getLineNumber()).isEqualTo(listenLine);
			assertThat(Messages.lingering("LeakyTests.leaks()", List.of("p.Elsewhere"), 0, Duration.ofSeconds(1), server, 0, "", true))
				.as("without a line of the test's code, the fix names the frames that opened it, as before")
				.contains("\nFix: close the server end opened at ");
		}
		finally {
			LedgerLineage.finished("[engine:junit-jupiter]/[class:p.LeakyTests]/[method:leaks()]");
			pool.shutdownNow();
		}
	}

	@Test
	void theOtherEndThatNeedsTheFixIsShownAndNamedEvenWhenItIsNoRowOfTheMessage() throws Exception {
		SocketTable table = CapturedTables.table("loopback-states");
		TcpSocket closeWait = CapturedTables.find(table, TcpState.CLOSE_WAIT, 54309, 37106);
		TcpSocket finWait2 = CapturedTables.find(table, TcpState.FIN_WAIT2, 37106, 54309);
		InetAddress loopback = InetAddress.getByName("127.0.0.1");
		Object server = new Object();
		Ledger.INSTANCE.opened(server, LedgerSocket.Kind.ACCEPTED, new InetSocketAddress(loopback, 54309), new InetSocketAddress(loopback, 37106)); int acceptedLine = line();
		try {
			LedgerSocket connected = new LedgerSocket(LedgerSocket.Kind.CONNECTED, finWait2.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int connectedLine = line();
			connected.close(new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int closedLine = line();
			// Only the client end is this test's: its server end, which needs the fix, was not judged.
			List<Finding> findings = List.of(new Finding(finWait2, new Ownership(OwnershipRule.MIRROR, closeWait), Finding.Role.CLIENT, closeWait, connected));
			String at = "\tat dev.nolinger.MessagesTests.theOtherEndThatNeedsTheFixIsShownAndNamedEvenWhenItIsNoRowOfTheMessage(MessagesTests.java:";

			assertThat(Messages.lingering("T.t()", List.of(MessagesTests.class.getName()), 0, Duration.ofSeconds(1), findings, 0, "", true))
				.isEqualTo("""
						1 socket lingering after T.t() (tolerance 0):
						  FIN_WAIT2  client end  127.0.0.1:37106 -> 127.0.0.1:54309  rule 2: mirror of this JVM's CLOSE_WAIT socket  other end: CLOSE_WAIT, this JVM's
						    connected on thread "main":
						%1$s%2$d)
						    closed on thread "main":
						%1$s%3$d)
						    its other end, not counted against this test: CLOSE_WAIT server end 127.0.0.1:54309 -> 127.0.0.1:37106
						    accepted on thread "%5$s":
						%1$s%4$d)
						Hints:
						  still FIN_WAIT2 after 1 s of grace: this JVM closed (or called shutdownOutput()), and the peer has not closed its end.
						  still CLOSE_WAIT after 1 s of grace: the peer closed, and this JVM has not called close() on its end.
						  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, and which nolinger.grace (now 1 s) would have passed; raise it only for a late close.
						Fix: close the server end opened at MessagesTests.java:%4$d (CLOSE_WAIT: the client closed; this JVM had not closed it within 1 s of grace)."""
					.formatted(at, connectedLine, closedLine, acceptedLine, Thread.currentThread().getName()));
			assertThat(Messages.errorStack(findings, List.of(MessagesTests.class.getName()), true)[0].getLineNumber())
				.as("the click lands where the end to fix was opened").isEqualTo(acceptedLine);
		}
		finally {
			Ledger.INSTANCE.closed(server);
		}
	}

	@Test
	void tracedRowWithoutARecordSaysSoAndItsFixNamesTheTuple() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309,
				37106);

		assertThat(Messages.lingering("T.t()", List.of(), 0, Duration.ofSeconds(1),
				List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null)), 0, "",
				true))
			.isEqualTo("""
					1 socket lingering after T.t() (tolerance 0):
					  CLOSE_WAIT  server end  127.0.0.1:54309 -> 127.0.0.1:37106  rule 1: inode 3027 is an open fd of this JVM
					    not traced: not opened through the JDK's sockets while the agent ran (such as by Netty's native transports)
					Hints:
					  still CLOSE_WAIT after 1 s of grace: the peer closed, and this JVM has not called close() on its end.
					  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, and which nolinger.grace (now 1 s) would have passed; raise it only for a late close.
					Fix: close the server end 127.0.0.1:54309 -> 127.0.0.1:37106 (CLOSE_WAIT: the client closed; this JVM had not closed it within 1 s of grace).""");
	}

	@Test
	void aListenerLeftOpenIsNamedAsSuchInTheFix() throws Exception {
		TcpSocket listener = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.LISTEN, 54309, 0);
		LedgerSocket record = new LedgerSocket(LedgerSocket.Kind.LISTENING, listener.tuple(), null, new LedgerSocket.Event(new LedgerSocket.Trace(), "main", null, 0)); int line = line();

		assertThat(Messages.fix(List.of(new Finding(listener, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER,
				null, record)), List.of(MessagesTests.class.getName()), Duration.ofSeconds(1)))
			.hasValue("Fix: close the listener opened at MessagesTests.java:" + line
					+ " (LISTEN: a server socket is still listening; close it when the test ends).");
	}

	private static int line() {
		return new Throwable().getStackTrace()[1].getLineNumber();
	}

	@Test
	void withoutGraceTheMessageSaysItLookedRightAfterTheTest() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309,
				37106);

		assertThat(Messages.lingering("T.t()", 0, Duration.ZERO,
				List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null))))
			.contains("\n  still CLOSE_WAIT right after the test (no grace): the peer closed,")
			.contains("which nolinger.grace (now 0 s) would have passed; raise it only for a late close.\n")
			.endsWith(Messages.UNTRACED);
		assertThat(Messages.duration(Duration.ofMinutes(2))).isEqualTo("2 min");
		assertThat(Messages.duration(Duration.ofMillis(250))).isEqualTo("250 ms");
	}

	@Test
	void everyStateHasAHint() {
		assertThat(Set.of(TcpState.values())).allSatisfy(state -> assertThat(Messages.hint(state)).isNotBlank());
	}
}

/** A class named like a connection pool, outside the test's own classes, whose stack opens a "connection". */
final class TestConnectionPool {

	private TestConnectionPool() {
	}

	static LedgerSocket.Trace connect() {
		return new LedgerSocket.Trace();
	}
}
