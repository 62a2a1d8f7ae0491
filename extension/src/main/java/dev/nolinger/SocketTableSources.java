/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.logging.Logger;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Picks the socket table source that {@value NoLingeringSocketsExtension#SOURCE_KEY} asks for.
 *
 * <p>The netlink source uses the FFM API, so it is compiled for Java 22 into
 * {@code META-INF/versions/22} of the multi-release jar and loaded by name: on Java 17 to 21 the
 * class is not there to load, and {@code /proc} is the only source.
 */
final class SocketTableSources {

	static final String NETLINK_CLASS = "dev.nolinger.SocketTableNetlinkSource";

	static final int NETLINK_MIN_JAVA = 22;

	private static final Logger LOGGER = Logger.getLogger(NoLingeringSocketsExtension.class.getName());

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
					return proc;
				}
		}
	}

	/**
	 * Where a check learns which sockets this JVM holds: the netlink source's own {@code statx}
	 * per fd where it is the source (Java 22+ with native access), else {@code readlink} on each
	 * {@code /proc/self/fd} entry.
	 */
	static OwnershipInodeSource fds(SocketTableSource source) {
		return source instanceof OwnershipInodeSource fds ? fds : new OwnershipProcSelfFd(Path.of("/proc/self/fd"));
	}

	/** The netlink source, tried out once; or why it is unavailable here. */
	static SocketTableSource netlink() throws SocketTableException {
		int feature = Runtime.version().feature();
		if (feature < NETLINK_MIN_JAVA) {
			throw new SocketTableException("the netlink source needs Java " + NETLINK_MIN_JAVA
					+ " or later (the FFM API), and this is Java " + feature);
		}
		try {
			return Class.forName(NETLINK_CLASS)
				.asSubclass(SocketTableSource.class)
				.getDeclaredConstructor()
				.newInstance();
		}
		catch (ClassNotFoundException e) {
			throw new SocketTableException("this nolinger jar has no netlink classes: it was built on a JDK older than "
					+ NETLINK_MIN_JAVA, e);
		}
		catch (InvocationTargetException e) {
			if (e.getCause() instanceof SocketTableException cause) {
				throw cause;
			}
			// IllegalCallerException when native access is denied (--illegal-native-access=deny), and the like.
			throw new SocketTableException("the netlink source failed to start: " + e.getCause(), e.getCause());
		}
		catch (ReflectiveOperationException | LinkageError e) {
			throw new SocketTableException("the netlink source failed to load: " + e, e);
		}
	}
}
