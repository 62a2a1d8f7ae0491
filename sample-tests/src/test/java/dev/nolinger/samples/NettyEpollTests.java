/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.samples.LingeringFailures.TRACED;
import static dev.nolinger.samples.LingeringFailures.rowBlocksOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.nolinger.LingeringSocketsError;
import dev.nolinger.NoLingeringSockets;
import dev.nolinger.TcpState;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Netty's native epoll transport makes its sockets with its own JNI code, not through the JDK's
 * socket classes, so the agent never sees them. The table check still catches its leak; traced,
 * each row says it was not traced, and nothing claims where it was opened.
 */
class NettyEpollTests {

	private static final String NOT_TRACED = "    not traced: not opened through the JDK's sockets while the agent ran"
			+ " (such as by Netty's native transports)";

	@Test
	void anEpollServerThatNeverClosesFailsTheTestWithoutAWhere() throws Exception {
		assumeTrue(Epoll.isAvailable(), () -> "Netty's native epoll is unavailable here: " + Epoll.unavailabilityCause());
		try {
			FixtureRun run = FixtureRun.run(EpollLeakTestCases.class);
			EpollLeak leak = EpollLeakTestCases.leak;
			assertThat(leak).as("the fixture's leak").isNotNull();
			String server = leak.server();
			String client = leak.client();

			Throwable failure = run.failureOf("serverNeverClosesAcceptedChannel");
			assertThat(failure).isInstanceOf(LingeringSocketsError.class);
			String message = failure.getMessage();
			assertThat(message).as("nolinger's message")
				.startsWith("2 sockets lingering after EpollLeakTestCases.serverNeverClosesAcceptedChannel() (tolerance 0):\n");
			// The listener is still open, so the ends are judged from it, traced or not.
			ExpectedRow closeWait = ExpectedRow.openFd(TcpState.CLOSE_WAIT, ExpectedRow.End.SERVER, server, client)
				.withOtherEnd(TcpState.FIN_WAIT2);
			ExpectedRow finWait2 = ExpectedRow.openFd(TcpState.FIN_WAIT2, ExpectedRow.End.CLIENT, client, server)
				.asMirror()
				.withOtherEnd(TcpState.CLOSE_WAIT);
			List<List<String>> blocks = rowBlocksOf(message);
			assertThat(blocks).as("rows of:%n%s", message).hasSize(2);
			for (ExpectedRow row : List.of(closeWait, finWait2)) {
				List<String> block = blocks.stream()
					.filter(lines -> row.pattern().matcher(lines.get(0)).matches())
					.findFirst()
					.orElseThrow(() -> new AssertionError("no row matching " + row + " in:\n" + message));
				// Traced, the row's only line below says it was not traced; untraced, there is none.
				assertThat(block.subList(1, block.size())).as("lines under %s in:%n%s", block.get(0), message)
					.isEqualTo(TRACED ? List.of(NOT_TRACED) : List.of());
			}
			String fix = "Fix: close the server end " + server + " -> " + client
					+ " (CLOSE_WAIT: the client closed; this JVM had not closed it within 200 ms of grace).";
			assertThat(message).as("nolinger's message")
				.doesNotContain("opened at")
				.doesNotContain(" on thread ")
				.doesNotContain("\tat ")
				.doesNotContain("unknown end");
			String last = message.substring(message.lastIndexOf('\n') + 1);
			if (TRACED) {
				assertThat(last).as("last line of%n%s", message).isEqualTo(fix);
			}
			else {
				assertThat(message).doesNotContain("Fix: ");
				assertThat(last).as("last line of%n%s", message)
					.startsWith("To see where each socket was opened, run the tests with -javaagent:");
			}
			// No opening stack to point at: the error carries no frames.
			assertThat(failure.getStackTrace()).isEmpty();
		}
		finally {
			EpollLeak leak = EpollLeakTestCases.leak;
			EpollLeakTestCases.leak = null;
			if (leak != null) {
				leak.release();
			}
		}
	}

	@NoLingeringSockets
	static class EpollLeakTestCases {

		static volatile @Nullable EpollLeak leak;

		@Test
		void serverNeverClosesAcceptedChannel() throws Exception {
			leak = EpollLeak.open();
		}
	}

	/**
	 * An epoll server that keeps each accepted channel open after its client closed (half-closure
	 * allowed, so Netty does not close it on the client's FIN), and an epoll client that closed.
	 */
	static final class EpollLeak {

		private static final long TIMEOUT_SECONDS = 10;

		private final EventLoopGroup group;
		private final Channel listener;
		private final Channel accepted;
		private final InetSocketAddress clientAddress;

		private EpollLeak(EventLoopGroup group, Channel listener, Channel accepted, InetSocketAddress clientAddress) {
			this.group = group;
			this.listener = listener;
			this.accepted = accepted;
			this.clientAddress = clientAddress;
		}

		static EpollLeak open() throws Exception {
			EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
			Channel listener = null;
			try {
				CompletableFuture<Channel> accepted = new CompletableFuture<>();
				listener = new ServerBootstrap().group(group)
					.channel(EpollServerSocketChannel.class)
					.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
					.childHandler(new ChannelInitializer<Channel>() {
						@Override
						protected void initChannel(Channel channel) {
							accepted.complete(channel);
						}
					})
					.bind(InetAddress.getByName("127.0.0.1"), 0)
					.sync()
					.channel();
				Channel client = new Bootstrap().group(group)
					.channel(EpollSocketChannel.class)
					.handler(new ChannelInboundHandlerAdapter())
					.connect(listener.localAddress())
					.sync()
					.channel();
				InetSocketAddress clientAddress = (InetSocketAddress) client.localAddress();
				Channel serverEnd = accepted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				client.close().sync();
				return new EpollLeak(group, listener, serverEnd, clientAddress);
			}
			catch (Exception | Error e) {
				if (listener != null) {
					listener.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				}
				group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				throw e;
			}
		}

		/** The listener's address, as nolinger prints it. */
		String server() {
			InetSocketAddress address = (InetSocketAddress) this.listener.localAddress();
			return address.getAddress().getHostAddress() + ":" + address.getPort();
		}

		String client() {
			return this.clientAddress.getAddress().getHostAddress() + ":" + this.clientAddress.getPort();
		}

		/** Closes the server end and the listener, and stops the event loop, each bounded in time. */
		void release() throws InterruptedException {
			try {
				this.accepted.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				this.listener.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			}
			finally {
				this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			}
		}
	}
}
