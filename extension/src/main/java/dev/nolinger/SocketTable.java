/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One observation of the socket table, deduplicated by 4-tuple.
 *
 * <p>Reading {@code /proc/net/tcp} is not atomic: when the kernel re-reads at a page boundary
 * the same socket can appear twice. The later line wins, because it is the newer view.
 */
record SocketTable(List<TcpSocket> sockets, Map<SocketTuple, TcpSocket> byTuple) {

	static SocketTable of(List<TcpSocket> lines) {
		Map<SocketTuple, TcpSocket> byTuple = new LinkedHashMap<>();
		for (TcpSocket socket : lines) {
			byTuple.put(socket.tuple(), socket);
		}
		return new SocketTable(Collections.unmodifiableList(new ArrayList<>(byTuple.values())),
				Collections.unmodifiableMap(byTuple));
	}

	// Written out: the index is made from the list ({@link #of}), so equal lists make equal tables,
	// and a record's generated equals goes through method handles, slow until the JIT has compiled it.
	@Override
	public boolean equals(Object other) {
		return other instanceof SocketTable that && this.sockets.equals(that.sockets);
	}

	@Override
	public int hashCode() {
		return this.sockets.hashCode();
	}

	@Nullable TcpSocket find(SocketTuple tuple) {
		return this.byTuple.get(tuple);
	}
}
