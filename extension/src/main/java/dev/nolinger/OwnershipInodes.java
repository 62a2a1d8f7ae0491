/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Which socket inodes are open in this JVM, remembered across observations.
 *
 * <p>An inode names one socket for as long as it shows in the table, and a socket does not move
 * between processes, so a verdict stays valid while its inode is listed. {@code /proc/self/fd}
 * is scanned only when the table shows an inode with no verdict yet.
 */
final class OwnershipInodes {

	private final OwnershipInodeSource source;
	private final Map<Long, Boolean> verdicts = new ConcurrentHashMap<>();

	OwnershipInodes(OwnershipInodeSource source) {
		this.source = source;
	}

	/** Gives a verdict to every inode in the table, scanning fds only when one is new, and forgets inodes that left. */
	void classify(SocketTable table) throws SocketTableException {
		classify(table, null);
	}

	/**
	 * The same, with {@code scanned}, when not null, a scan of this JVM's socket fds made after the
	 * table was read: as good as the scan this would make, so it is used instead.
	 */
	void classify(SocketTable table, @Nullable Set<Long> scanned) throws SocketTableException {
		Set<Long> present = new HashSet<>();
		boolean unknown = false;
		for (TcpSocket socket : table.sockets()) {
			if (socket.inode() != 0) {
				present.add(socket.inode());
				unknown |= !this.verdicts.containsKey(socket.inode());
			}
		}
		if (unknown) {
			Set<Long> open = scanned != null ? scanned : this.source.socketInodes();
			for (Long inode : present) {
				this.verdicts.put(inode, open.contains(inode));
			}
		}
		this.verdicts.keySet().retainAll(present);
	}

	/** Whether a classified inode is open in this JVM. */
	boolean isOwned(long inode) {
		return inode != 0 && Boolean.TRUE.equals(this.verdicts.get(inode));
	}
}
