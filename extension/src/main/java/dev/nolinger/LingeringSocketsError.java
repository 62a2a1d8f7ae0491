/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import org.apiguardian.api.API;
import org.opentest4j.AssertionFailedError;

/**
 * Thrown when a test leaves more lingering sockets than its tolerance allows. Its message lists
 * each socket, which end failed to close it, and why it counts as this JVM's.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class LingeringSocketsError extends AssertionFailedError {

	private static final long serialVersionUID = 1L;

	private final int lingeringSockets;

	LingeringSocketsError(String message, int lingeringSockets) {
		super(message);
		this.lingeringSockets = lingeringSockets;
	}

	/**
	 * How many lingering sockets the test left.
	 *
	 * @return more than the tolerance
	 */
	public int lingeringSockets() {
		return this.lingeringSockets;
	}
}
