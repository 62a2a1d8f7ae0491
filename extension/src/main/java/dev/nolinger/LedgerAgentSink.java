/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.net.InetSocketAddress;

/**
 * The application side of the bridge: forwards what the JDK's hooks report to
 * {@link LedgerEvents}. Loaded only once the bridge is on the bootstrap class path.
 */
final class LedgerAgentSink implements LedgerBridge.Sink {

	static void start() throws ReflectiveOperationException {
		if (LedgerBridge.class.getClassLoader() != null) {
			throw new IllegalStateException("the bridge was loaded by " + LedgerBridge.class.getClassLoader());
		}
		LedgerBridge.start(new LedgerAgentSink());
	}

	static void stop() {
		LedgerBridge.stop();
	}

	@Override
	public void connected(Object socket, InetSocketAddress local, InetSocketAddress remote) {
		LedgerEvents.connected(socket, local, remote);
	}

	@Override
	public void accepted(Object socket, InetSocketAddress local, InetSocketAddress remote) {
		LedgerEvents.accepted(socket, local, remote);
	}

	@Override
	public void listening(Object socket, InetSocketAddress local) {
		LedgerEvents.listening(socket, local);
	}

	@Override
	public void closed(Object socket) {
		LedgerEvents.closed(socket);
	}

	@Override
	public void cleaned(Object socket) {
		LedgerEvents.cleaned(socket);
	}

	@Override
	public void starting(Thread thread) {
		LedgerLineage.starting(thread);
	}

	@Override
	public void failed(Throwable failure) {
		System.err.println("nolinger: a socket hook failed and is ignored from now on: " + failure);
	}
}
