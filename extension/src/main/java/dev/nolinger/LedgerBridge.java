/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.Objects;

import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The agent's bridge between the JDK's socket classes and the ledger: the agent puts this
 * class (and only it) on the bootstrap class path, so that the hooks it adds to {@code java.base}
 * can call it. It names sockets by their {@link FileDescriptor}, which outlives a socket object
 * dropped without close() until the JDK's cleaner closes it, and reads the addresses as the JDK
 * does. It sees nothing of the application class loader: the agent hands it a {@link Sink}.
 *
 * <p>It must not refer to any other nolinger class: the bootstrap loader cannot see them.
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class LedgerBridge {

	/** Where the bridge sends events: implemented on the application side. */
	public interface Sink {

		void connected(Object socket, InetSocketAddress local, InetSocketAddress remote);

		void accepted(Object socket, InetSocketAddress local, InetSocketAddress remote);

		void listening(Object socket, InetSocketAddress local);

		void closed(Object socket);

		/**
		 * The JDK's cleaner action ran for the socket: after {@link #closed} when close() was
		 * called, and alone when the socket was collected without close().
		 */
		void cleaned(Object socket);

		/** {@code Thread.start} was called on the current thread for {@code thread}. */
		void starting(Thread thread);

		/** The first Throwable a hook swallowed; later ones are dropped. */
		void failed(Throwable failure);
	}

	private static volatile @Nullable Sink sink;

	private static volatile boolean failed;

	private static @Nullable MethodHandle localAddress;

	private LedgerBridge() {
	}

	/**
	 * Looks up how the JDK reads a socket's addresses. The agent has opened {@code sun.nio.ch} to this
	 * class's module, and to nothing else, before calling this.
	 */
	public static void start(Sink sink) throws ReflectiveOperationException {
		Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
		MethodType read = MethodType.methodType(InetSocketAddress.class, FileDescriptor.class);
		MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
		localAddress = lookup.findStatic(net, "localAddress", read);
		LedgerBridge.sink = sink;
	}

	/** Stops dispatching: the hooks then do nothing. */
	public static void stop() {
		LedgerBridge.sink = null;
	}

	/**
	 * Hook: {@code NioSocketImpl.endConnect} has just read the local address of a socket that
	 * connected; the remote address fields were set before the connect began.
	 */
	public static void socketConnected(InetSocketAddress local, FileDescriptor fd, InetAddress remote, int remotePort) {
		Sink sink = LedgerBridge.sink;
		if (sink != null) {
			try {
				sink.connected(fd, local, new InetSocketAddress(remote, remotePort));
			}
			catch (Throwable failure) {
				fail(sink, failure);
			}
		}
	}

	/**
	 * Hook: {@code NioSocketImpl.accept} returned, with the accepted socket's descriptor and fields,
	 * and the address its listener was bound to, which is the local address unless a wildcard.
	 */
	public static void socketAccepted(FileDescriptor fd, InetAddress remote, int remotePort, int localPort,
			@Nullable InetAddress listener) {
		Sink sink = LedgerBridge.sink;
		if (sink != null) {
			try {
				InetSocketAddress local = listener == null || listener.isAnyLocalAddress() ? address(localAddress, fd)
						: new InetSocketAddress(listener, localPort);
				sink.accepted(fd, local, new InetSocketAddress(remote, remotePort));
			}
			catch (Throwable failure) {
				fail(sink, failure);
			}
		}
	}

	/** Hook: {@code NioSocketImpl.listen} or {@code ServerSocketChannelImpl.netBind} returned. */
	public static void listening(FileDescriptor fd) {
		Sink sink = LedgerBridge.sink;
		if (sink != null) {
			try {
				sink.listening(fd, address(localAddress, fd));
			}
			catch (Throwable failure) {
				fail(sink, failure);
			}
		}
	}

	/** Hook: {@code NioSocketImpl.close} was called, or a channel's close. */
	public static void closed(@Nullable FileDescriptor fd) {
		Sink sink = LedgerBridge.sink;
		if (sink != null && fd != null) {
			try {
				sink.closed(fd);
			}
			catch (Throwable failure) {
				fail(sink, failure);
			}
		}
	}

	/** Hook: a {@code NioSocketImpl}'s cleaner action is closing the descriptor, in close() or after a GC. */
	public static void cleaned(@Nullable FileDescriptor fd) {
		Sink sink = LedgerBridge.sink;
		if (sink != null && fd != null) {
			try {
				sink.cleaned(fd);
			}
			catch (Throwable failure) {
				fail(sink, failure);
			}
		}
	}

	/**
	 * Hook: a {@code SocketChannelImpl} connect attempt ended; {@code completed} if it connected, and
	 * then the channel's address fields are set.
	 */
	public static void channelConnected(FileDescriptor fd, ProtocolFamily family, boolean completed,
			@Nullable SocketAddress local, @Nullable SocketAddress remote) {
		Sink sink = LedgerBridge.sink;
		if (sink != null && completed && family != StandardProtocolFamily.UNIX) {
			try {
				if (local instanceof InetSocketAddress near && remote instanceof InetSocketAddress far) {
					sink.connected(fd, near, far);
				}
			}
			catch (Throwable failure) {
				fail(sink, failure);
			}
		}
	}

	/** Hook: {@code ServerSocketChannelImpl.finishAccept} is returning {@code channel}, of descriptor {@code fd}. */
	public static void channelAccepted(SocketChannel channel, FileDescriptor fd, ProtocolFamily family) {
		Sink sink = LedgerBridge.sink;
		if (sink != null && family != StandardProtocolFamily.UNIX) {
			try {
				// both read fields the channel has just set: no system call
				if (channel.getLocalAddress() instanceof InetSocketAddress near
						&& channel.getRemoteAddress() instanceof InetSocketAddress far) {
					sink.accepted(fd, near, far);
				}
			}
			catch (Throwable failure) {
				fail(sink, failure);
			}
		}
	}

	/** Hook: a channel's {@code implCloseSelectableChannel} was called. */
	public static void channelClosed(FileDescriptor fd, ProtocolFamily family) {
		if (family != StandardProtocolFamily.UNIX) {
			closed(fd);
		}
	}

	/** Hook: {@code Thread.start} was called, on the thread that starts {@code thread}. */
	public static void threadStarting(Thread thread) {
		Sink sink = LedgerBridge.sink;
		if (sink != null) {
			try {
				sink.starting(thread);
			}
			catch (Throwable failure) {
				fail(sink, failure);
			}
		}
	}

	private static InetSocketAddress address(@Nullable MethodHandle read, FileDescriptor fd) throws Throwable {
		return (InetSocketAddress) Objects.requireNonNull(read).invokeExact(fd);
	}

	private static void fail(Sink sink, Throwable failure) {
		// A socket closed by another thread in the meantime has no addresses left: not a failure.
		if (failure instanceof IOException || failed) {
			return;
		}
		failed = true;
		try {
			sink.failed(failure);
		}
		catch (Throwable ignored) {
			// nothing more can be done without risking the socket operation
		}
	}
}
