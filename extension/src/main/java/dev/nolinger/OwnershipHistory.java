/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The 4-tuples seen owned by this JVM at earlier observations (attribution rule 4). A tuple is
 * forgotten once it leaves the table, so a later connection that reuses it is judged afresh.
 */
final class OwnershipHistory {

	private final Set<SocketTuple> owned = ConcurrentHashMap.newKeySet();

	void record(Collection<SocketTuple> tuples) {
		this.owned.addAll(tuples);
	}

	/** Every remembered 4-tuple, for looking each up in the table. */
	List<SocketTuple> tuples() {
		return List.copyOf(this.owned);
	}

	boolean wasOwned(SocketTuple tuple) {
		return this.owned.contains(tuple);
	}

	void forgetAbsent(SocketTable table) {
		this.owned.retainAll(table.byTuple().keySet());
	}
}
