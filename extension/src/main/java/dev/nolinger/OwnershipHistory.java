/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The 4-tuples seen owned by this JVM at earlier observations (attribution rule 4). A tuple is
 * forgotten once it leaves the table, so a later connection that reuses it is judged afresh.
 */
final class OwnershipHistory {

	/** Each tuple with the {@link #generation} that last recorded it. */
	private final Map<SocketTuple, Long> owned = new ConcurrentHashMap<>();

	private final AtomicLong generation = new AtomicLong();

	/**
	 * How many records there have been: taken before a table is read, it lets {@link #forgetAbsent}
	 * keep the tuples recorded from a newer table, which an older one leaves out only because it
	 * was read before them (parallel checks read and record at the same time).
	 */
	long generation() {
		return this.generation.get();
	}

	void record(Collection<SocketTuple> tuples) {
		Long recorded = this.generation.incrementAndGet();
		for (SocketTuple tuple : tuples) {
			this.owned.put(tuple, recorded);
		}
	}

	/** Every remembered 4-tuple, for looking each up in the table. */
	List<SocketTuple> tuples() {
		return List.copyOf(this.owned.keySet());
	}

	boolean wasOwned(SocketTuple tuple) {
		return this.owned.containsKey(tuple);
	}

	/**
	 * Forgets the tuples {@code table} no longer lists, of those recorded up to generation
	 * {@code readFrom}, taken before it was read; {@link Long#MIN_VALUE} forgets none.
	 */
	void forgetAbsent(SocketTable table, long readFrom) {
		Set<SocketTuple> listed = table.byTuple().keySet();
		this.owned.entrySet().removeIf(entry -> entry.getValue() <= readFrom && !listed.contains(entry.getKey()));
	}
}
