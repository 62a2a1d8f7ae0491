/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

/** Where observations of the TCP socket table come from. */
interface SocketTableSource {

	/** Whether this platform has the table at all; false on macOS and Windows. */
	boolean isAvailable();

	/** What {@link #isAvailable()} looked for, for messages. */
	String describe();

	SocketTable read() throws SocketTableException;
}
