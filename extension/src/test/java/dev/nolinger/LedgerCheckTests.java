/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import dev.nolinger.noise.BackgroundJvm;
import dev.nolinger.noise.OutsidePeerMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The check with the socket ledger, fed on real loopback sockets the way the agent's hooks feed
 * it: right after each JDK call succeeds, on the same thread, with the addresses the JDK reports.
 * Line numbers come from markers captured on the line of each open and close.
 */
class LedgerCheckTests {

	private static final String THIS = LedgerCheckTests.class.getName();

	static volatile boolean traced;
	static volatile int connectedLine;
	static volatile int acceptedLine;
	static volatile int closedLine;
	static volatile Socket client;
	static volatile Socket accepted;
	static volatile ServerSocket listener;
	static volatile int peerPort;
	static volatile BackgroundJvm peer;

	@BeforeAll
	static void startPeer() throws Exception {
		peer = BackgroundJvm.start(OutsidePeerMain.class);
		peerPort = Integer.parseInt(peer.awaitLineStartingWith("listening ", Duration.ofSeconds(30)).split(" ")[1]);
	}

	@AfterAll
	static void stopPeer() throws IOException {
		peer.close();
	}

	@AfterEach
	void untrace() {
		LedgerEvents.stopTracing();
		traced = false;
		LoopbackConnections.closeAll();
	}

	@Test
	void tracedLeakNamesEachEndAndTheLinesThatOpenedAndClosedIt() throws Exception {
		trace();
		String thread = Thread.currentThread().getName();

		Throwable failure = onlyFailure(run(ServerLeakTestCases.class));

		int serverPort = listener.getLocalPort();
		int clientPort = client.getLocalPort();
		long inode = inodeOf(accepted);
		String fixture = THIS + "$ServerLeakTestCases.leaks(LedgerCheckTests.java:";
		assertThat(failure).isInstanceOf(LingeringSocketsError.class).hasMessage("""
				2 sockets lingering after ServerLeakTestCases.leaks() (tolerance 0):
				  FIN_WAIT2   client end  127.0.0.1:%2$d -> 127.0.0.1:%1$d  rule 2: mirror of this JVM's CLOSE_WAIT socket%4$s  other end: CLOSE_WAIT, this JVM's
				    connected on thread "%5$s":
				\tat %6$s%7$d)
				    closed on thread "%5$s":
				\tat %6$s%9$d)
				  CLOSE_WAIT  server end  127.0.0.1:%1$d -> 127.0.0.1:%2$d  rule 1: inode %3$d is an open fd of this JVM%10$s  other end: FIN_WAIT2, this JVM's
				    accepted on thread "%5$s" by listener 127.0.0.1:%1$d:
				\tat %6$s%8$d)
				Hints:
				  still FIN_WAIT2 after 300 ms of grace: this JVM closed (or called shutdownOutput()), and the peer has not closed its end.
				  still CLOSE_WAIT after 300 ms of grace: the peer closed, and this JVM has not called close() on its end.
				  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, and which nolinger.grace (now 300 ms) would have passed; raise it only for a late close.
				Fix: close the server end opened at LedgerCheckTests.java:%8$d (CLOSE_WAIT: the client closed; this JVM had not closed it within 300 ms of grace)."""
			.formatted(serverPort, clientPort, inode, pad("rule 2: mirror of this JVM's CLOSE_WAIT socket", inode), thread,
					fixture, connectedLine, acceptedLine, closedLine, pad("rule 1: inode " + inode + " is an open fd of this JVM", inode)));
		assertThat(failure.getStackTrace()[0]).as("the error's own trace starts where the socket to fix was opened")
			.hasToString(fixture + acceptedLine + ")");
	}

	@Test
	void untracedLeakEndsWithHowToTraceAndHasNoFramesOfItsOwn() throws Exception {
		Throwable failure = onlyFailure(run(ServerLeakTestCases.class));

		assertThat(failure.getMessage()).endsWith("""
				  still CLOSE_WAIT after 300 ms of grace: the peer closed, and this JVM has not called close() on its end.
				  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, and which nolinger.grace (now 300 ms) would have passed; raise it only for a late close.
				To see where each socket was opened, run the tests with -javaagent:<the nolinger-junit jar> (README: "Where a socket was opened").""")
			.doesNotContain("\tat ");
		assertThat(failure.getStackTrace()).as("nolinger's and JUnit's frames, which help nobody").isEmpty();
	}

	@Test
	void aSocketOpenedOnAnotherThreadShowsThatThreadsName() throws Exception {
		trace();

		Throwable failure = onlyFailure(run(PoolThreadLeakTestCases.class));

		assertThat(failure.getMessage())
			.contains("    connected on thread \"leaky-pool-1\":\n\tat " + THIS + "$PoolThreadLeakTestCases.lambda$")
			.contains("(LedgerCheckTests.java:" + connectedLine + ")\n")
			.doesNotContain("unknown end");
	}

	@Test
	void closerOfAnOrphanTowardAPeerInAnotherProcessFailsTracedAndPassesUntraced() throws Exception {
		run(OutsidePeerTestCases.class, "closesTowardAPeerThatNeverCloses")
			.assertStatistics(stats -> stats.succeeded(1).failed(0));

		trace();
		Throwable failure = onlyFailure(run(OutsidePeerTestCases.class, "closesTowardAPeerThatNeverCloses"));

		int clientPort = client.getLocalPort();
		String fixture = THIS + "$OutsidePeerTestCases.closesTowardAPeerThatNeverCloses(LedgerCheckTests.java:";
		assertThat(failure).isInstanceOf(LingeringSocketsError.class).hasMessage("""
				1 socket lingering after OutsidePeerTestCases.closesTowardAPeerThatNeverCloses() (tolerance 0):
				  FIN_WAIT2  client end  127.0.0.1:%1$d -> 127.0.0.1:%2$d  rule 5: this JVM closed this 4-tuple during the test
				    connected on thread "%3$s":
				\tat %4$s%5$d)
				    closed on thread "%3$s":
				\tat %4$s%6$d)
				Hints:
				  still FIN_WAIT2 after 300 ms of grace: this JVM closed (or called shutdownOutput()), and the peer has not closed its end.
				  Late close or leak? The suite summary at the end of the run says whether these sockets closed later, when, and which nolinger.grace (now 300 ms) would have passed; raise it only for a late close.
				Fix: make the peer 127.0.0.1:%2$d close its end too; this JVM closed the client end at LedgerCheckTests.java:%6$d (FIN_WAIT2: the peer had not closed its end within 300 ms of grace)."""
			.formatted(clientPort, peerPort, Thread.currentThread().getName(), fixture, connectedLine, closedLine));
	}

	@Test
	void orphanOfAListenerOpenedAndClosedWithinTheTestFailsTracedAndPassesUntraced() throws Exception {
		run(OutsidePeerTestCases.class, "listenerOpenedAndClosedWithinTheTest")
			.assertStatistics(stats -> stats.succeeded(1).failed(0));

		trace();
		Throwable failure = onlyFailure(run(OutsidePeerTestCases.class, "listenerOpenedAndClosedWithinTheTest"));

		String message = failure.getMessage();
		assertThat(message).startsWith("1 socket lingering after OutsidePeerTestCases.listenerOpenedAndClosedWithinTheTest() (tolerance 0):\n"
				+ "  FIN_WAIT2  server end  127.0.0.1:" + listener.getLocalPort() + " -> 127.0.0.1:")
			.contains("  rule 5: this JVM closed this 4-tuple during the test\n"
					+ "    accepted on thread \"" + Thread.currentThread().getName() + "\" by listener 127.0.0.1:" + listener.getLocalPort() + ":\n"
					+ "\tat " + THIS + "$OutsidePeerTestCases.listenerOpenedAndClosedWithinTheTest(LedgerCheckTests.java:" + acceptedLine + ")\n"
					+ "    closed on thread \"" + Thread.currentThread().getName() + "\":\n"
					+ "\tat " + THIS + "$OutsidePeerTestCases.listenerOpenedAndClosedWithinTheTest(LedgerCheckTests.java:" + closedLine + ")\n")
			.endsWith("this JVM closed the server end at LedgerCheckTests.java:" + closedLine
					+ " (FIN_WAIT2: the peer had not closed its end within 300 ms of grace).");
	}

	private static void trace() {
		traced = true;
		LedgerEvents.startTracing();
	}

	private static String pad(String reason, long inode) {
		int width = Math.max("rule 2: mirror of this JVM's CLOSE_WAIT socket".length(),
				("rule 1: inode " + inode + " is an open fd of this JVM").length());
		return " ".repeat(width - reason.length());
	}

	private static long inodeOf(Socket socket) throws Exception {
		SocketTuple tuple = new SocketTuple(Ledger.endpoint((InetSocketAddress) socket.getLocalSocketAddress()),
				Ledger.endpoint((InetSocketAddress) socket.getRemoteSocketAddress()));
		return new SocketTableProcSource(Path.of("/proc/net")).read(EnumSet.allOf(TcpState.class)).find(tuple).inode();
	}

	private static Events run(Class<?> testClass) {
		return EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "300ms")
			.selectors(selectClass(testClass))
			.execute()
			.testEvents();
	}

	private static Events run(Class<?> testClass, String method) {
		return EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "300ms")
			.selectors(selectMethod(testClass, method))
			.execute()
			.testEvents();
	}

	private static Throwable onlyFailure(Events events) {
		List<Event> failed = events.failed().list();
		assertThat(failed).hasSize(1);
		return failed.get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class)
			.flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
			.orElseThrow();
	}

	private static InetSocketAddress local(Socket socket) {
		return (InetSocketAddress) socket.getLocalSocketAddress();
	}

	private static InetSocketAddress remote(Socket socket) {
		return (InetSocketAddress) socket.getRemoteSocketAddress();
	}

	private static int line() {
		return new Throwable().getStackTrace()[1].getLineNumber();
	}

	@NoLingeringSockets
	static class ServerLeakTestCases {

		@Test
		void leaks() throws IOException {
			listener = LoopbackConnections.keep(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
			LedgerEvents.listening(listener, (InetSocketAddress) listener.getLocalSocketAddress());
			client = LoopbackConnections.keep(new Socket());
			client.connect(listener.getLocalSocketAddress(), 5_000);
			LedgerEvents.connected(client, local(client), remote(client)); connectedLine = line();
			accepted = LoopbackConnections.keep(listener.accept());
			LedgerEvents.accepted(accepted, local(accepted), remote(accepted)); acceptedLine = line();
			client.close();
			LedgerEvents.closed(client); closedLine = line();
		}
	}

	@NoLingeringSockets
	static class PoolThreadLeakTestCases {

		@Test
		void leaksFromAPoolThread() throws Exception {
			listener = LoopbackConnections.keep(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
			Thread pool = new Thread(() -> {
				try {
					client = LoopbackConnections.keep(new Socket());
					client.connect(listener.getLocalSocketAddress(), 5_000);
					LedgerEvents.connected(client, local(client), remote(client)); connectedLine = line();
				}
				catch (IOException e) {
					throw new IllegalStateException(e);
				}
			}, "leaky-pool-1");
			pool.start();
			pool.join(10_000);
			accepted = LoopbackConnections.keep(listener.accept());
			accepted.close();
		}
	}

	/** The two patterns no table read can prove this JVM's: only the ledger's record of the close does. */
	@NoLingeringSockets
	static class OutsidePeerTestCases {

		@Test
		void closesTowardAPeerThatNeverCloses() throws IOException {
			client = new Socket();
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), peerPort), 5_000);
			if (traced) {
				LedgerEvents.connected(client, local(client), remote(client)); connectedLine = line();
			}
			client.close();
			if (traced) {
				LedgerEvents.closed(client); closedLine = line();
			}
		}

		@Test
		void listenerOpenedAndClosedWithinTheTest() throws Exception {
			listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			if (traced) {
				LedgerEvents.listening(listener, (InetSocketAddress) listener.getLocalSocketAddress());
			}
			peer.send("connect 127.0.0.1 " + listener.getLocalPort());
			accepted = listener.accept();
			if (traced) {
				LedgerEvents.accepted(accepted, local(accepted), remote(accepted)); acceptedLine = line();
			}
			peer.awaitLineStartingWith("connected ", Duration.ofSeconds(10));
			accepted.close();
			if (traced) {
				LedgerEvents.closed(accepted); closedLine = line();
			}
			listener.close();
			if (traced) {
				LedgerEvents.closed(listener);
			}
		}
	}
}
