/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which socket inodes of this JVM are not TCP sockets: Unix, UDP, raw or netlink ones, which
 * {@code /proc/self/fd} shows as {@code socket:[INODE]} just like TCP ones. The JVM, its build tool
 * and libraries often hold a Unix socket for the whole run; knowing it is not TCP lets a check
 * skip reads (see {@link CheckQuiet}). A socket keeps its kind, so a verdict is kept for good;
 * the files are read only for an inode without one.
 */
final class OwnershipOtherSockets {

	/** Each file that lists sockets of another kind, and the column of its inode. */
	private record Listing(String file, int inodeColumn) {
	}

	private static final List<Listing> LISTINGS = List.of(new Listing("unix", 6), new Listing("udp", 9),
			new Listing("udp6", 9), new Listing("raw", 9), new Listing("raw6", 9), new Listing("netlink", 9));

	private final Path procNet;

	private final Set<Long> known = new HashSet<>();

	OwnershipOtherSockets(Path procNet) {
		this.procNet = procNet;
	}

	/**
	 * Whether every inode of {@code inodes} is a socket of another kind than TCP. False when one is
	 * not found in any listing, such as an unconnected TCP socket, or when a listing cannot be read.
	 */
	synchronized boolean allOtherThanTcp(Set<Long> inodes) {
		if (this.known.containsAll(inodes)) {
			return true;
		}
		Set<Long> wanted = new HashSet<>(inodes);
		wanted.removeAll(this.known);
		for (Listing listing : LISTINGS) {
			try (Stream<String> lines = Files.lines(this.procNet.resolve(listing.file()))) {
				lines.skip(1).forEach(line -> {
					String[] fields = line.strip().split("\\s+");
					if (fields.length > listing.inodeColumn()) {
						try {
							long inode = Long.parseLong(fields[listing.inodeColumn()]);
							if (wanted.remove(inode)) {
								this.known.add(inode);
							}
						}
						catch (NumberFormatException e) {
							// not a socket line; the inode stays unknown
						}
					}
				});
			}
			catch (IOException | RuntimeException e) {
				// a listing this kernel does not have, or cannot be read: its sockets stay unknown
			}
			if (wanted.isEmpty()) {
				return true;
			}
		}
		return false;
	}
}
