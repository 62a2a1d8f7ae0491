/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.samples.LingeringFailures.TRACED;
import static dev.nolinger.samples.LingeringFailures.assertLingering;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import dev.nolinger.NoLingeringSockets;
import dev.nolinger.TcpState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two leaks no read of the socket table can prove this JVM's, because the socket that
 * lingers is an orphan with no inode and its peer is in another process: they fail the test
 * with nolinger's agent, which saw this JVM close the socket during the test (rule 5), and pass
 * without it, as docs/limitations.md says.
 */
class OutsidePeerTests {

	static volatile OutsidePeer peer;
	static volatile InetSocketAddress local;
	static volatile InetSocketAddress remote;
	static volatile StackTraceElement openedAt;
	static volatile StackTraceElement closedAt;

	@BeforeAll
	static void startPeer() throws Exception {
		peer = OutsidePeer.start();
	}

	@AfterAll
	static void stopPeer() throws Exception {
		peer.close();
	}

	@Test
	void clientClosedTowardAPeerThatNeverClosesFailsOnlyWhenTraced() {
		FixtureRun run = FixtureRun.run(PeerNeverClosesTestCases.class);

		if (!TRACED) {
			run.assertPassed("closesTowardAPeerThatNeverCloses");
			return;
		}
		Throwable failure = run.failureOf("closesTowardAPeerThatNeverCloses");
		assertLingering(failure, "PeerNeverClosesTestCases.closesTowardAPeerThatNeverCloses()", 0,
				ExpectedRow.closedDuringTest(TcpState.FIN_WAIT2, ExpectedRow.End.CLIENT, Loopback.IPV4.printed(local),
						Loopback.IPV4.printed(remote)).openedAt(openedAt));
		assertThat(failure.getMessage()).contains("    closed on thread \"" + Thread.currentThread().getName() + "\":\n\tat "
				+ SourceLine.text(closedAt) + "\n");
	}

	@Test
	void orphanOfAListenerOpenedAndClosedWithinTheTestFailsOnlyWhenTraced() {
		FixtureRun run = FixtureRun.run(ListenerWithinTheTestTestCases.class);

		if (!TRACED) {
			run.assertPassed("acceptsClosesAndStopsListening");
			return;
		}
		Throwable failure = run.failureOf("acceptsClosesAndStopsListening");
		assertLingering(failure, "ListenerWithinTheTestTestCases.acceptsClosesAndStopsListening()", 0,
				ExpectedRow.closedDuringTest(TcpState.FIN_WAIT2, ExpectedRow.End.SERVER, Loopback.IPV4.printed(local),
						Loopback.IPV4.printed(remote)).openedAt(openedAt));
		assertThat(failure.getMessage()).contains("    closed on thread \"" + Thread.currentThread().getName() + "\":\n\tat "
				+ SourceLine.text(closedAt) + "\n");
	}

	static class PeerNeverClosesTestCases {

		@Test
		@NoLingeringSockets
		void closesTowardAPeerThatNeverCloses() throws Exception {
			Socket client = new Socket();
			client.connect(new InetSocketAddress(Loopback.IPV4.address(), peer.port()), 5_000); openedAt = SourceLine.here();
			local = (InetSocketAddress) client.getLocalSocketAddress();
			remote = (InetSocketAddress) client.getRemoteSocketAddress();
			client.close(); closedAt = SourceLine.here();
			ProcNetTcp.awaitState(local, remote, TcpState.FIN_WAIT2);
		}
	}

	static class ListenerWithinTheTestTestCases {

		@Test
		@NoLingeringSockets
		void acceptsClosesAndStopsListening() throws Exception {
			try (ServerSocket listener = Loopback.IPV4.listen()) {
				peer.connectTo(listener.getLocalPort());
				Socket accepted = listener.accept(); openedAt = SourceLine.here();
				local = (InetSocketAddress) accepted.getLocalSocketAddress();
				remote = (InetSocketAddress) accepted.getRemoteSocketAddress();
				accepted.close(); closedAt = SourceLine.here();
			}
			ProcNetTcp.awaitState(local, remote, TcpState.FIN_WAIT2);
		}
	}
}
