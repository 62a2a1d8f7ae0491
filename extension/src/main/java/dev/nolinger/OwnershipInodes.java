/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.HashMap;
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
	Owned classify(SocketTable table) throws SocketTableException {
		return classify(table, null);
	}

	/**
	 * The same, with {@code scanned}, when not null, a scan of this JVM's socket fds made after the
	 * table was read: as good as the scan this would make, so it is used instead.
	 *
	 * <p>The verdicts returned are this table's, kept apart from the remembered ones: under
	 * parallel execution another check may classify an older table at the same time and forget an
	 * inode that this table lists (it left that table's view), and this table's attribution must
	 * still find it open. What is remembered only spares later scans.
	 *
	 * @return the inodes of {@code table} that are open in this JVM
	 */
	Owned classify(SocketTable table, @Nullable Set<Long> scanned) throws SocketTableException {
		Map<Long, Boolean> verdicts = new HashMap<>();
		boolean unknown = false;
		for (TcpSocket socket : table.sockets()) {
			if (socket.inode() != 0) {
				Boolean known = this.verdicts.get(socket.inode());
				unknown |= known == null;
				verdicts.put(socket.inode(), Boolean.TRUE.equals(known));
			}
		}
		if (unknown) {
			Set<Long> open = scanned != null ? scanned : this.source.socketInodes();
			verdicts.replaceAll((inode, known) -> open.contains(inode));
			this.verdicts.putAll(verdicts);
		}
		this.verdicts.keySet().retainAll(verdicts.keySet());
		Set<Long> owned = new HashSet<>();
		verdicts.forEach((inode, open) -> {
			if (open) {
				owned.add(inode);
			}
		});
		return new Owned(owned);
	}

	/**
	 * The inodes of one table that are open in this JVM, as one {@link #classify} found them.
	 *
	 * @param inodes those inodes
	 */
	record Owned(Set<Long> inodes) {

		/** Whether {@code inode}, one of the table's, is open in this JVM. */
		boolean isOwned(long inode) {
			return inode != 0 && this.inodes.contains(inode);
		}
	}
}
