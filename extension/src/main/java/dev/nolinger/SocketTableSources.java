/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Picks the socket table source that {@value NoLingeringSocketsExtension#SOURCE_KEY} asks for.
 *
 * <p>The netlink source makes its system calls through the FFM API on Java 22+, compiled into
 * {@code META-INF/versions/22} of the multi-release jar and loaded by name, and through the jar's
 * JNI library on Java 17 to 21. Where neither works (no native access on 22+, another platform, a
 * library that does not load), {@code auto} reads {@code /proc} and says why in a CONFIG line.
 */
final class SocketTableSources {

	static final String FFM_CLASS = "dev.nolinger.SocketTableFfmCalls";

	/** The first Java whose FFM API is final; before it, the jar's JNI library makes the calls. */
	static final int NETLINK_MIN_JAVA = 22;

	private static final Logger LOGGER = Logger.getLogger(NoLingeringSocketsExtension.class.getName());

	private static final Object CALLS_LOCK = new Object();

	private static @Nullable SocketTableCalls linked;

	private static @Nullable SocketTableException refused;

	private SocketTableSources() {
	}

	static SocketTableSource select(CheckConfiguration configuration) {
		SocketTableProcSource proc = new SocketTableProcSource(configuration.procNet());
		switch (configuration.source()) {
			case PROC:
				LOGGER.config(() -> "nolinger: reading the socket table from " + configuration.procNet()
						+ "/tcp and tcp6, as " + NoLingeringSocketsExtension.SOURCE_KEY + "=proc asks");
				return proc;
			case NETLINK:
				try {
					SocketTableSource netlink = netlink();
					LOGGER.config(() -> "nolinger: reading the socket table through " + netlink.describe()
							+ ", as " + NoLingeringSocketsExtension.SOURCE_KEY + "=netlink asks");
					return netlink;
				}
				catch (SocketTableException e) {
					throw new ExtensionConfigurationException(Messages
						.netlinkUnavailable(NoLingeringSocketsExtension.SOURCE_KEY, e.getMessage()), e);
				}
			default:
				if (!configuration.procNet().equals(CheckConfiguration.DEFAULT_PROC_NET)) {
					LOGGER.config(() -> "nolinger: reading the socket table from " + configuration.procNet()
							+ "/tcp and tcp6, because " + NoLingeringSocketsExtension.PROC_NET_KEY
							+ " is set; netlink sees only this process's network namespace");
					return proc;
				}
				try {
					SocketTableSource netlink = netlink();
					LOGGER.config(() -> "nolinger: reading the socket table through " + netlink.describe());
					return netlink;
				}
				catch (SocketTableException e) {
					LOGGER.config(() -> "nolinger: reading the socket table from " + configuration.procNet()
							+ "/tcp and tcp6; netlink is unavailable: " + e.getMessage());
					CheckCost.fasterPathNotTaken(e.getMessage());
					return proc;
				}
		}
	}

	/**
	 * Where a check learns which sockets this JVM holds: the netlink source's own {@code statx}
	 * per fd where it is the source (Java 22+ with native access, Java 17 to 21 with the JNI
	 * library), else {@code readlink} on each {@code /proc/self/fd} entry.
	 */
	static OwnershipInodeSource fds(SocketTableSource source) {
		return source instanceof OwnershipInodeSource fds ? fds : new OwnershipProcSelfFd(Path.of("/proc/self/fd"));
	}

	/** The netlink source, tried out once; or why it is unavailable here. */
	static SocketTableSource netlink() throws SocketTableException {
		return new SocketTableNetlinkSource(calls());
	}

	/**
	 * How this JVM makes the netlink source's system calls: the FFM API on Java 22+, the jar's JNI
	 * library on Java 17 to 21. Java 22+ never loads the library through JNI, even without native
	 * access: from Java 24 on, JNI warns as FFM does. With native access, it looks the library up
	 * through FFM for the fd scan, a watched socket's state and a quiet check's read alone. Linked
	 * once per JVM (or refused once, for the same reason every time).
	 */
	static SocketTableCalls calls() throws SocketTableException {
		synchronized (CALLS_LOCK) {
			if (linked == null && refused == null) {
				try {
					linked = link();
				}
				catch (SocketTableException e) {
					refused = e;
				}
			}
			if (refused != null) {
				throw refused;
			}
			return Objects.requireNonNull(linked);
		}
	}

	/**
	 * Starts linking the native calls in a daemon thread, when the launcher session opens. It is a
	 * one-time cost per JVM, measured at about 250 to 350 ms for the FFM downcalls on Java 25 (the
	 * JDK generates code for each call shape) and 60 to 200 ms for the JNI library on Java 17, which
	 * a run would otherwise pay at its first checked test; started here, it overlaps the launcher's
	 * discovery and whatever runs before that test. Without native access on Java 22+ it ends at
	 * once, printing nothing; a failure is kept for the first check to report.
	 */
	static void linkInTheBackground() {
		Thread linking = new Thread(() -> {
			try {
				calls();
			}
			catch (SocketTableException | RuntimeException | LinkageError e) {
				// calls() keeps a refusal for the check to report; anything else the check meets again
			}
		}, "nolinger-native-link");
		linking.setDaemon(true);
		linking.start();
	}

	private static SocketTableCalls link() throws SocketTableException {
		int feature = Runtime.version().feature();
		if (feature < NETLINK_MIN_JAVA) {
			return SocketTableJniCalls.load();
		}
		try {
			return (SocketTableCalls) Class.forName(FFM_CLASS).getDeclaredMethod("link").invoke(null);
		}
		catch (ClassNotFoundException e) {
			throw new SocketTableException("this nolinger jar has no FFM classes: it was built on a JDK older than "
					+ NETLINK_MIN_JAVA + ", and Java " + feature + " loads no JNI library", e);
		}
		catch (InvocationTargetException e) {
			if (e.getCause() instanceof SocketTableException cause) {
				throw cause;
			}
			// IllegalCallerException when native access is denied (--illegal-native-access=deny), and the like.
			throw new SocketTableException("the FFM calls failed to link: " + e.getCause(), e.getCause());
		}
		catch (ReflectiveOperationException | LinkageError e) {
			throw new SocketTableException("the FFM calls failed to load: " + e, e);
		}
	}
}
