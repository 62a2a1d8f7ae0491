/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading {@code /proc}: its files, which report a size of 0, and the {@code socket:[INODE]}
 * links in an fd directory. Used by the check ({@code /proc/self/fd}, the ephemeral port range)
 * and by the diagnostic command (every process's fds, {@code tcp_fin_timeout}, command lines).
 */
final class ProcFiles {

	private static final String SOCKET_LINK_PREFIX = "socket:[";

	private ProcFiles() {
	}

	/**
	 * Reads a /proc file to its end. {@code Files.readString} returned "6" for a
	 * {@code tcp_fin_timeout} of "60\n" here: /proc files report size 0, and it trusts the size.
	 */
	static byte[] readBytes(Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			return in.readAllBytes();
		}
	}

	/** Reads a /proc file to its end, as UTF-8. */
	static String readString(Path file) throws IOException {
		return new String(readBytes(file), StandardCharsets.UTF_8);
	}

	/** Where an fd links to; empty when the fd was closed after the directory was listed. */
	static String linkTarget(Path fd) throws IOException {
		try {
			return Files.readSymbolicLink(fd).toString();
		}
		catch (NoSuchFileException closedMeanwhile) {
			return "";
		}
	}

	/**
	 * The inode of a {@code socket:[INODE]} link target, or -1 for any other kind of file.
	 *
	 * @throws NumberFormatException when a socket link holds no number
	 */
	static long socketInode(String target) {
		if (!target.startsWith(SOCKET_LINK_PREFIX) || !target.endsWith("]")) {
			return -1;
		}
		return Long.parseLong(target, SOCKET_LINK_PREFIX.length(), target.length() - 1, 10);
	}
}
