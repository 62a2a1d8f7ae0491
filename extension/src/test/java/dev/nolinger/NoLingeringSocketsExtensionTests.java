/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.suppressed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

class NoLingeringSocketsExtensionTests {

	static final AtomicReference<LoopbackConnections.Pair> LAST = new AtomicReference<>();

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void failsTestWhoseServerNeverClosesAcceptedSocket() {
		Events events = run(ServerLeakTestCases.class);

		LoopbackConnections.Pair pair = LAST.get();
		events.assertThatEvents().haveExactly(1, event(test("leaks"), finishedWithFailure(
				instanceOf(LingeringSocketsError.class),
				message(m -> m.startsWith("2 sockets lingering after ServerLeakTestCases.leaks() (tolerance 0):")
						&& m.contains("CLOSE_WAIT  server end  127.0.0.1:" + pair.serverPort() + " -> 127.0.0.1:" + pair.clientPort())
						&& m.contains("FIN_WAIT2   client end  127.0.0.1:" + pair.clientPort() + " -> 127.0.0.1:" + pair.serverPort())
						&& m.contains("rule 2: mirror of this JVM's CLOSE_WAIT socket")))));
	}

	@Test
	void passesCleanTest() {
		run(CleanTestCases.class).assertStatistics(stats -> stats.succeeded(1).failed(0));
	}

	@Test
	void cleanTestPaysNoGraceWait() {
		// A ten-minute grace would stall this run if a clean test waited at all.
		assertTimeoutPreemptively(Duration.ofMinutes(2), () -> EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "10m")
			.selectors(selectClass(CleanTestCases.class))
			.execute()
			.testEvents()
			.assertStatistics(stats -> stats.succeeded(1).failed(0)));
	}

	@Test
	void testsOwnFailureStaysPrimary() {
		run(FailingLeakTestCases.class).assertThatEvents()
			.haveExactly(1, event(test("failsAndLeaks"), finishedWithFailure(instanceOf(IllegalStateException.class),
					message("the test's own failure"), suppressed(0, instanceOf(LingeringSocketsError.class)))));
	}

	@Test
	void disabledByConfigurationChecksNothing() {
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.enabled", "false")
			.selectors(selectClass(ServerLeakTestCases.class))
			.execute()
			.testEvents()
			.assertStatistics(stats -> stats.succeeded(1).failed(0));
	}

	@Test
	void skipsWithOneWarningPerRunWhereThereIsNoProc(@TempDir Path empty) {
		Events events = EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.proc.net", empty.toString())
			.selectors(selectClass(ServerLeakTestCases.class), selectClass(CleanTestCases.class))
			.execute()
			.allEvents();

		events.assertStatistics(stats -> stats.succeeded(5).failed(0));
		assertThat(events.reportingEntryPublished().stream()
			.map(e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class).orElseThrow())
			.map(entry -> entry.getKeyValuePairs().get("nolinger")))
			.containsExactly("nolinger: " + empty.resolve("tcp")
					+ " does not exist (the check needs Linux's /proc), so @NoLingeringSockets checks nothing in this run."
					+ " Set nolinger.unsupported=fail to make that an error.");
	}

	@Test
	void failsWhereThereIsNoProcWhenAskedTo(@TempDir Path empty) {
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.proc.net", empty.toString())
			.configurationParameter("nolinger.unsupported", "fail")
			.selectors(selectClass(CleanTestCases.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, event(test("clean"), finishedWithFailure(message(
					"nolinger cannot check sockets on this platform: " + empty.resolve("tcp")
							+ " does not exist (the check needs Linux's /proc). Set nolinger.unsupported=skip to run the tests without the check."))));
	}

	@Test
	void malformedTableFailsWithFileAndLine(@TempDir Path procNet) throws Exception {
		Files.writeString(procNet.resolve("tcp"), """
				  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
				   0: 0100007F:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3022 1 0000000023d5cbf3 100 0 0 10 0
				   1: 0100007G:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3022 1 0000000023d5cbf3 100 0 0 10 0
				""");
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.proc.net", procNet.toString())
			.selectors(selectClass(CleanTestCases.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, event(test("clean"), finishedWithFailure(message(m -> m.startsWith(
					"nolinger could not check CleanTestCases.clean(): " + procNet.resolve("tcp")
							+ " line 3: local address: expected 8 hex digits before ':', found '0100007'")))));
	}

	@Test
	void invalidConfigurationNamesKeyAndValue() {
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "soon")
			.selectors(selectClass(CleanTestCases.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, event(test("clean"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
					message("Invalid value for nolinger.grace: 'soon'; expected a duration such as 500ms, 1s or 0."))));
	}

	@Test
	void socketStillClosingWhenTheGraceRunsOutCountsAsLingering() {
		Events events = run(StuckClosingTestCases.class);

		events.assertThatEvents()
			.haveExactly(1, event(test("closesOntoAPeerThatNeverReads"), finishedWithFailure(
					instanceOf(LingeringSocketsError.class),
					message(m -> m.startsWith("1 socket lingering after StuckClosingTestCases.closesOntoAPeerThatNeverReads() (tolerance 0):")
							&& m.contains("FIN_WAIT1  client end  127.0.0.1:" + stuckClientPort + " -> 127.0.0.1:")
							&& m.contains("still FIN_WAIT1 after 200 ms of grace: this JVM closed, and the peer has not acknowledged the FIN yet.")))));
	}

	private static Events run(Class<?> testClass) {
		return EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "200ms")
			.selectors(selectClass(testClass))
			.execute()
			.testEvents();
	}

	static volatile int stuckClientPort;

	@NoLingeringSockets
	static class StuckClosingTestCases {

		/** The peer never reads, so the FIN waits behind unsent data: FIN_WAIT1 until the data drains. */
		@Test
		void closesOntoAPeerThatNeverReads() throws IOException {
			ServerSocket server = LoopbackConnections.keep(new ServerSocket());
			server.setReceiveBufferSize(4096); // accepted sockets inherit it: a small window that fills fast
			server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			try (SocketChannel channel = SocketChannel.open()) {
				channel.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
				channel.connect(server.getLocalSocketAddress());
				stuckClientPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
				LoopbackConnections.keep(server.accept());
				channel.configureBlocking(false);
				ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
				for (int i = 0; i < 1_000 && channel.write(chunk.clear()) > 0; i++) {
					// fill the peer's receive window and our send buffer
				}
			}
		}
	}

	@NoLingeringSockets
	static class ServerLeakTestCases {

		@Test
		void leaks() {
			LAST.set(LoopbackConnections.serverNeverCloses());
		}
	}

	@NoLingeringSockets
	static class FailingLeakTestCases {

		@Test
		void failsAndLeaks() {
			LoopbackConnections.serverNeverCloses();
			throw new IllegalStateException("the test's own failure");
		}
	}

	@NoLingeringSockets
	static class CleanTestCases {

		@Test
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}
	}
}
