/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The entry points the instrumented JDK calls: whatever fails inside the ledger stays inside, as
 * one warning, and the call goes on to the agent tests' recorder. The agent itself is tested in
 * child JVMs ({@code LedgerAgentTests}).
 */
class LedgerEventsTests {

	private static final Logger LOGGER = Logger.getLogger(LedgerEvents.class.getName());

	private static final InetSocketAddress REMOTE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);

	private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();

	private final List<String> recorded = new CopyOnWriteArrayList<>();

	private final Handler handler = new Handler() {

		@Override
		public void publish(LogRecord record) {
			LedgerEventsTests.this.warnings.add(record);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}
	};

	private boolean parentHandlers;

	@BeforeEach
	void listen() {
		this.parentHandlers = LOGGER.getUseParentHandlers();
		LOGGER.setUseParentHandlers(false);
		LOGGER.addHandler(this.handler);
		LedgerEvents.recorder = new LedgerEvents.Recorder() {

			@Override
			public void connected(Object socket, InetSocketAddress local, InetSocketAddress remote) {
				LedgerEventsTests.this.recorded.add("connected " + remote);
			}

			@Override
			public void accepted(Object socket, InetSocketAddress local, InetSocketAddress remote) {
				LedgerEventsTests.this.recorded.add("accepted " + remote);
			}

			@Override
			public void listening(Object socket, InetSocketAddress local) {
				LedgerEventsTests.this.recorded.add("listening " + local);
			}

			@Override
			public void closed(Object socket) {
				LedgerEventsTests.this.recorded.add("closed");
			}
		};
	}

	@AfterEach
	void stopListening() {
		LedgerEvents.recorder = null;
		LOGGER.removeHandler(this.handler);
		LOGGER.setUseParentHandlers(this.parentHandlers);
	}

	@Test
	void aConnectTheLedgerFailsOnWarnsOnceAndStillReachesTheRecorder() throws Exception {
		failsInsideTheLedgerWithOneWarning(socket -> LedgerEvents.connected(socket, null, REMOTE));
		assertThat(this.recorded).containsExactly("connected " + REMOTE, "connected " + REMOTE);
	}

	@Test
	void anAcceptTheLedgerFailsOnWarnsOnceAndStillReachesTheRecorder() throws Exception {
		failsInsideTheLedgerWithOneWarning(socket -> LedgerEvents.accepted(socket, null, REMOTE));
		assertThat(this.recorded).containsExactly("accepted " + REMOTE, "accepted " + REMOTE);
	}

	@Test
	void aListenTheLedgerFailsOnWarnsOnceAndStillReachesTheRecorder() throws Exception {
		failsInsideTheLedgerWithOneWarning(socket -> LedgerEvents.listening(socket, null));
		assertThat(this.recorded).containsExactly("listening null", "listening null");
	}

	@Test
	void aCloseOfASocketTheLedgerNeverSawIsIgnoredAndReachesTheRecorder() throws Exception {
		resetWarning();
		LedgerEvents.closed(new Object());

		assertThat(this.recorded).containsExactly("closed");
		assertThat(this.warnings).isEmpty();
	}

	/**
	 * A null local address is what no JDK hook passes; the ledger fails on it, and that must
	 * neither reach the JDK's socket code nor print more than one warning for the whole run.
	 */
	private void failsInsideTheLedgerWithOneWarning(Consumer<Object> event) throws Exception {
		resetWarning();

		event.accept(new Object());
		assertThat(this.warnings).as("the first failure warns").singleElement().satisfies(warning -> {
			assertThat(warning.getLevel()).isEqualTo(Level.WARNING);
			assertThat(warning.getMessage())
				.isEqualTo("nolinger: the socket ledger failed and records nothing more of this socket");
			assertThat(warning.getThrown()).isInstanceOf(NullPointerException.class);
		});

		event.accept(new Object());
		assertThat(this.warnings).as("later failures are quiet").hasSize(1);
	}

	/** The warning is once per JVM; each test here needs the first one. */
	private static void resetWarning() throws ReflectiveOperationException {
		Field warned = LedgerEvents.class.getDeclaredField("WARNED");
		warned.setAccessible(true);
		((AtomicBoolean) warned.get(null)).set(false);
	}
}
