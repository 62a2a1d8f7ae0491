/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

/** The socket table, or this process's fd table, could not be read or parsed; the message says which file and why. */
final class SocketTableException extends Exception {

	private static final long serialVersionUID = 1L;

	SocketTableException(String message) {
		super(message);
	}

	SocketTableException(String message, Throwable cause) {
		super(message, cause);
	}
}
