/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link LedgerAgentTests}: runs one scenario on real loopback sockets under the
 * agent and prints what {@link LedgerEvents} received, one line per call, next to facts the
 * scenario learns from the sockets themselves:
 * {@code event KIND S<n> [local] [remote] @thread} and {@code fact NAME VALUE}.
 * Like the ledger, it names a socket by the first event that mentions it and drops repeated or
 * unknown closes.
 */
// Accepted ends are held open by try-with-resources only, for the length of a step.
@SuppressWarnings("try")
public final class LedgerAgentProbe {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private static final Map<Object, String> NAMES = new IdentityHashMap<>();

	private static final List<Object> CLOSED = new ArrayList<>();

	private LedgerAgentProbe() {
	}

	public static void main(String[] args) throws Exception {
		LedgerEvents.recorder = new LedgerEvents.Recorder() {
			@Override
			public void connected(Object socket, InetSocketAddress local, InetSocketAddress remote) {
				print("connected " + name(socket) + " " + text(local) + " " + text(remote));
			}

			@Override
			public void accepted(Object socket, InetSocketAddress local, InetSocketAddress remote) {
				print("accepted " + name(socket) + " " + text(local) + " " + text(remote));
			}

			@Override
			public void listening(Object socket, InetSocketAddress local) {
				print("listening " + name(socket) + " " + text(local));
			}

			@Override
			public void closed(Object socket) {
				synchronized (NAMES) {
					if (!NAMES.containsKey(socket) || CLOSED.stream().anyMatch(c -> c == socket)) {
						return;
					}
					CLOSED.add(socket);
				}
				print("closed " + name(socket));
			}
		};
		fact("tracing", LedgerEvents.tracing());
		switch (args[0]) {
			case "socket" -> socket();
			case "channel" -> channel();
			case "wildcard" -> wildcard();
			case "failed" -> failed();
			case "threads" -> threads();
			case "virtual" -> virtual();
			case "cleaner" -> cleaner();
			case "collectedChannel" -> collectedChannel();
			case "unix" -> unix();
			case "quiet" -> quiet();
			case "mockito" -> mockito();
			default -> throw new IllegalArgumentException("no scenario " + args[0]);
		}
		fact("done", true);
	}

	private static String name(Object socket) {
		synchronized (NAMES) {
			return NAMES.computeIfAbsent(socket, s -> "S" + (NAMES.size() + 1));
		}
	}

	private static synchronized void print(String event) {
		System.out.println("event " + event + " @" + Thread.currentThread().getName());
	}

	static synchronized void fact(String name, Object value) {
		System.out.println("fact " + name + " " + (value instanceof InetSocketAddress address ? text(address) : value));
	}

	/** Address and port, without the host name a loopback address may carry. */
	private static String text(InetSocketAddress address) {
		return "/" + address.getAddress().getHostAddress() + ":" + address.getPort();
	}

	/** java.net.Socket and ServerSocket: listen, connect, accept, close. */
	private static void socket() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
			fact("server", server.getLocalSocketAddress());
			Socket client = new Socket();
			client.connect(server.getLocalSocketAddress(), 5_000);
			fact("client", client.getLocalSocketAddress());
			Socket accepted = server.accept();
			client.close();
			fact("closed", "client");
			accepted.close();
			fact("closed", "accepted");
		}
		fact("closed", "server");
	}

	/** A listener on the wildcard address: the accepted end's local address is the one connected to. */
	private static void wildcard() throws IOException {
		try (ServerSocket server = new ServerSocket(0)) {
			InetSocketAddress target = new InetSocketAddress(LOOPBACK, server.getLocalPort());
			fact("target", target);
			try (Socket client = new Socket()) {
				client.connect(target, 5_000);
				fact("client", client.getLocalSocketAddress());
				server.accept().close();
			}
		}
	}

	/** SocketChannel and ServerSocketChannel, blocking and non-blocking connect. */
	private static void channel() throws IOException {
		try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
			fact("server", server.getLocalAddress());
			SocketChannel client = SocketChannel.open(server.getLocalAddress());
			fact("client", client.getLocalAddress());
			SocketChannel accepted = server.accept();
			client.close();
			fact("closed", "client");
			accepted.close();
			fact("closed", "accepted");

			SocketChannel pending = SocketChannel.open();
			pending.configureBlocking(false);
			boolean now = pending.connect(server.getLocalAddress());
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			while (!now && !pending.finishConnect() && System.nanoTime() < deadline) {
				Thread.onSpinWait();
			}
			// finishConnect on a connected channel reports nothing more
			pending.finishConnect();
			fact("pending", pending.getLocalAddress());
			SocketChannel acceptedPending = server.accept();
			pending.close();
			acceptedPending.close();
			fact("closed", "pending");
		}
		fact("closed", "server");
	}

	/** A refused connect and a timed-out connect report nothing. */
	private static void failed() throws IOException {
		InetSocketAddress refused;
		try (ServerSocket gone = new ServerSocket(0, 50, LOOPBACK)) {
			refused = (InetSocketAddress) gone.getLocalSocketAddress();
		}
		try (Socket socket = new Socket()) {
			socket.connect(refused, 5_000);
			fact("refused", "connected?!");
		}
		catch (IOException expected) {
			fact("refused", "socket");
		}
		try (SocketChannel channel = SocketChannel.open()) {
			channel.connect(refused);
			fact("refused", "connected?!");
		}
		catch (IOException expected) {
			fact("refused", "channel");
		}
		// A listener whose accept queue is full drops further SYNs: the next connect times out.
		List<Socket> filling = new ArrayList<>();
		try (ServerSocket full = new ServerSocket(0, 1, LOOPBACK)) {
			fact("full", full.getLocalSocketAddress());
			for (int i = 0; i < 16; i++) {
				Socket socket = new Socket();
				try {
					socket.connect(full.getLocalSocketAddress(), 300);
					filling.add(socket);
				}
				catch (SocketTimeoutException expected) {
					fact("timedOut", i);
					break;
				}
			}
			fact("filled", filling.size());
			for (Socket socket : filling) {
				socket.close();
			}
		}
	}

	/** close() from another thread while one blocks in read(), and an interrupted channel read. */
	private static void threads() throws Exception {
		try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
			Socket client = new Socket(LOOPBACK, server.getLocalPort());
			try (Socket accepted = server.accept()) {
				CountDownLatch reading = new CountDownLatch(1);
				Thread reader = new Thread(() -> {
					try (InputStream in = client.getInputStream()) {
						reading.countDown();
						in.read();
					}
					catch (IOException expected) {
						fact("readFailed", expected.getClass().getSimpleName());
					}
				}, "reader");
				reader.start();
				reading.await();
				awaitBlocked(reader);
				fact("closing", "client");
				client.close();
				reader.join(5_000);
			}
		}
		try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
			SocketChannel client = SocketChannel.open(server.getLocalAddress());
			try (SocketChannel accepted = server.accept()) {
				Thread reader = new Thread(() -> {
					try {
						client.read(ByteBuffer.allocate(1));
					}
					catch (ClosedByInterruptException expected) {
						fact("interrupted", client.isOpen() ? "open" : "closed");
					}
					catch (IOException unexpected) {
						fact("interrupted", unexpected);
					}
				}, "channel-reader");
				reader.start();
				awaitBlocked(reader);
				fact("interrupting", "channel-reader");
				reader.interrupt();
				reader.join(5_000);
			}
		}
	}

	private static void awaitBlocked(Thread thread) throws InterruptedException {
		// Bounded: a thread in a socket read shows RUNNABLE in native code; give it time to get there.
		for (int i = 0; i < 50 && thread.isAlive(); i++) {
			Thread.sleep(10);
		}
	}

	/** Connect and accept on virtual threads (Java 21+), by reflection so this compiles for 17. */
	private static void virtual() throws Exception {
		try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
			fact("server", server.getLocalSocketAddress());
			Class<?> builderType = Class.forName("java.lang.Thread$Builder");
			Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
			builder = builderType.getMethod("name", String.class).invoke(builder, "virtual-client");
			Thread client = (Thread) builderType.getMethod("start", Runnable.class)
				.invoke(builder, (Runnable) () -> {
					try (Socket socket = new Socket(LOOPBACK, server.getLocalPort());
							SocketChannel channel = SocketChannel.open(server.getLocalSocketAddress())) {
						fact("client", socket.getLocalSocketAddress());
						fact("channel", channel.getLocalAddress());
					}
					catch (IOException e) {
						fact("failed", e);
					}
				});
			try (Socket first = server.accept(); Socket second = server.accept()) {
				client.join(5_000);
			}
		}
	}

	/** A connected socket dropped without close(): the JDK's cleaner closes it after a GC. */
	private static void cleaner() throws Exception {
		try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
			SocketAddress local = dropConnected(server);
			fact("dropped", local);
			try (Socket accepted = server.accept()) {
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
				while (System.nanoTime() < deadline && !closedSomething()) {
					System.gc();
					Thread.sleep(50);
				}
			}
			fact("closer", closer((InetSocketAddress) local, (InetSocketAddress) server.getLocalSocketAddress()));
		}
	}

	/**
	 * A connected channel dropped without close(): a channel registers no cleaner, so once the GC
	 * collects it the ledger's record is closed by nobody while its fd stays open; the server then
	 * closes its end, and the dropped end sits in CLOSE_WAIT with its inode still an fd of this JVM.
	 */
	private static void collectedChannel() throws Exception {
		// the recorder names sockets in a strong map, which would keep the channel's descriptor from the GC
		LedgerEvents.recorder = null;
		try (ServerSocketChannel server = ServerSocketChannel.open()) {
			server.bind(new InetSocketAddress(LOOPBACK, 0));
			InetSocketAddress serverAddress = (InetSocketAddress) server.getLocalAddress();
			InetSocketAddress local = dropChannel(serverAddress);
			fact("dropped", local);
			try (SocketChannel accepted = server.accept()) {
				SocketTuple tuple = new SocketTuple(Ledger.endpoint(local), Ledger.endpoint(serverAddress));
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
				while (System.nanoTime() < deadline && Ledger.INSTANCE.find(tuple).closed() == null) {
					System.gc();
					Thread.sleep(50);
					// housekeeping, which notes collected sockets; the tuple is listed, so its record stays
					Ledger.INSTANCE.forgetAbsent(java.util.Set.of(tuple), System.nanoTime());
				}
				fact("closer", closer(local, serverAddress));
			}
			// the server end closed: the dropped end gets its FIN and, holding its fd, sits in CLOSE_WAIT
			TcpSocket closeWait = null;
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (closeWait == null && System.nanoTime() < deadline) {
				Thread.sleep(20);
				for (TcpSocket socket : new SocketTableProcSource(Path.of("/proc/net")).read().sockets()) {
					if (socket.state() == TcpState.CLOSE_WAIT && socket.local().port() == local.getPort()) {
						closeWait = socket;
					}
				}
			}
			if (closeWait == null) {
				fact("closeWait", "none");
				return;
			}
			boolean held = new OwnershipProcSelfFd(Path.of("/proc/self/fd")).socketInodes().contains(closeWait.inode());
			fact("fdHeld", held);
			LedgerSocket record = Ledger.INSTANCE.find(closeWait.tuple());
			String message = Messages.lingering("T.t()", List.of(LedgerAgentProbe.class.getName()), 0,
					java.time.Duration.ofSeconds(1),
					List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.CLIENT, null, record)),
					0, "", true);
			for (String line : message.split("\n")) {
				if (line.startsWith("    ") && !line.contains("on thread")) {
					fact("row", line.strip());
				}
			}
		}
	}

	private static InetSocketAddress dropChannel(InetSocketAddress server) throws IOException {
		@SuppressWarnings("resource")
		SocketChannel dropped = SocketChannel.open(server);
		return (InetSocketAddress) dropped.getLocalAddress();
	}

	/** Who the ledger says closed the connection from {@code local} to {@code remote}. */
	private static Object closer(InetSocketAddress local, InetSocketAddress remote) {
		LedgerSocket record = Ledger.INSTANCE.find(new SocketTuple(Ledger.endpoint(local), Ledger.endpoint(remote)));
		LedgerSocket.Event closed = record == null ? null : record.closed();
		return closed == null ? "open" : closed.closer() + " @" + closed.thread();
	}

	private static SocketAddress dropConnected(ServerSocket server) throws IOException {
		@SuppressWarnings("resource")
		Socket dropped = new Socket(LOOPBACK, server.getLocalPort());
		return dropped.getLocalSocketAddress();
	}

	private static boolean closedSomething() {
		synchronized (NAMES) {
			return !CLOSED.isEmpty();
		}
	}

	/** Unix-domain channels go through SocketChannelImpl too, and report nothing. */
	private static void unix() throws IOException {
		Path dir = Files.createTempDirectory("nolinger-unix");
		Path path = dir.resolve("socket");
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(UnixDomainSocketAddress.of(path));
			try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
					SocketChannel accepted = server.accept()) {
				client.write(ByteBuffer.wrap(new byte[] { 1 }));
				accepted.read(ByteBuffer.allocate(1));
				fact("unix", "connected");
			}
		}
		finally {
			Files.deleteIfExists(path);
			Files.deleteIfExists(dir);
		}
	}

	/** A final class for Mockito's inline mock maker to mock. */
	static final class Greeter {

		String greet() {
			return "real";
		}
	}

	/** Mocks from Mockito's inline mock maker, a JDK socket class among them, beside traced sockets. */
	private static void mockito() throws IOException {
		Greeter greeter = org.mockito.Mockito.mock(Greeter.class);
		org.mockito.Mockito.when(greeter.greet()).thenReturn("mocked");
		fact("greeter", greeter.greet());
		Socket mockSocket = org.mockito.Mockito.mock(Socket.class);
		org.mockito.Mockito.when(mockSocket.getPort()).thenReturn(4242);
		fact("mockSocket", mockSocket.getPort());
		socket();
		fact("stillMocked", greeter.greet() + " " + mockSocket.getPort());
	}

	/** No socket: work that touches none of the hooked classes. */
	private static void quiet() throws IOException {
		Path file = Files.createTempFile("nolinger-quiet", ".txt");
		Files.writeString(file, "no socket here");
		fact("read", Files.readString(file));
		Files.delete(file);
	}
}
