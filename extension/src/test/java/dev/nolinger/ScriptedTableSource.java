/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Set;

/**
 * A table source for tests: always available, each read answered by {@code reader}.
 *
 * @param describe what it serves, for messages
 */
record ScriptedTableSource(String describe, Reader reader) implements SocketTableSource {

	/** One read of the table. */
	@FunctionalInterface
	interface Reader {

		SocketTable read(Set<TcpState> states) throws SocketTableException;
	}

	/** The sockets of {@code table} in one of {@code states}, as every real source filters. */
	static SocketTable filtered(SocketTable table, Set<TcpState> states) {
		return SocketTable.of(table.sockets().stream().filter(s -> states.contains(s.state())).toList());
	}

	@Override
	public boolean isAvailable() {
		return true;
	}

	@Override
	public SocketTable read(Set<TcpState> states) throws SocketTableException {
		return this.reader.read(states);
	}
}
