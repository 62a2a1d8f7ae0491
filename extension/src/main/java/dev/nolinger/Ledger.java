/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The socket ledger: every TCP socket this JVM opened through the JDK while the agent traces,
 * with where it was opened and closed and the test that ran at the time.
 *
 * <p>Memory stays bounded. Open sockets are held by weak identity, so the ledger never keeps a
 * dropped socket from its cleaner. A closed socket's record is dropped at the first read of the
 * table after its 4-tuple has left it (TIME_WAIT aside, which is never read unless checked), or
 * once the orphan timeout has passed since its close, whichever comes first: after
 * {@code tcp_fin_timeout} the kernel has dropped an orphan, so there is nothing left to
 * attribute. Above {@link #CAPACITY} records in all, the oldest closed records go first; when
 * every record is an open socket, new sockets go unrecorded (counted, never failed on).
 */
final class Ledger {

	/**
	 * At most this many records, open and closed. A record holds two captured stacks, about
	 * 1.8 KB with 30 frames and 5.9 KB with 110: at most about 25 MB.
	 */
	static final int CAPACITY = 4_096;

	/** Past the kernel's orphan timeout, a margin for a check still judging the socket. */
	private static final Duration MARGIN = Duration.ofSeconds(10);

	static final Ledger INSTANCE = new Ledger(CAPACITY, orphanTimeout(Path.of("/proc/sys/net/ipv4/tcp_fin_timeout")),
			System::nanoTime);

	private final int capacity;
	private final long orphanNanos;
	private final LongSupplier clock;

	private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
	/** Concurrent so that a close looks its socket up without the lock: every close is reported twice. */
	private final Map<Object, LedgerSocket> open = new ConcurrentHashMap<>();
	/** The newest connected or accepted socket of each 4-tuple, open or closed. */
	private final Map<SocketTuple, LedgerSocket> byTuple = new HashMap<>();
	/** The newest listener on each local address, open or closed. */
	private final Map<Endpoint, LedgerSocket> listeners = new HashMap<>();
	/** Closed records, oldest close first: the order they expire and are evicted in. */
	private final LinkedHashSet<LedgerSocket> closed = new LinkedHashSet<>();
	private long unrecorded;
	private final AtomicLong events = new AtomicLong();

	/** The test each test thread runs, as the extension tells it. */
	private final Map<Thread, String> tests = new ConcurrentHashMap<>();

	Ledger(int capacity, Duration orphanTimeout, LongSupplier clock) {
		this.capacity = capacity;
		this.orphanNanos = orphanTimeout.toNanos();
		this.clock = clock;
	}

	/** {@code tcp_fin_timeout} plus a margin; the kernel's default of 60 s when it cannot be read. */
	static Duration orphanTimeout(Path finTimeout) {
		long seconds = 60;
		try {
			seconds = Long.parseLong(Files.readString(finTimeout).strip());
		}
		catch (IOException | NumberFormatException | SecurityException e) {
			// not Linux, or a sandbox: the kernel's default
		}
		return Duration.ofSeconds(Math.max(seconds, 60)).plus(MARGIN);
	}

	void opened(Object socket, LedgerSocket.Kind kind, InetSocketAddress localAddress,
			@Nullable InetSocketAddress remoteAddress) {
		this.events.incrementAndGet();
		Endpoint local = endpoint(localAddress);
		Endpoint remote = remoteAddress == null ? wildcard(local) : endpoint(remoteAddress);
		if (local == null || remote == null) {
			return;
		}
		LedgerSocket.Event event = event(true);
		SocketTuple tuple = new SocketTuple(local, remote);
		synchronized (this) {
			housekeep(event.nanos());
			if (size() >= this.capacity && !evictOldestClosed()) {
				this.unrecorded++;
				return;
			}
			Endpoint listener = kind == LedgerSocket.Kind.ACCEPTED ? listenerOf(local) : null;
			LedgerSocket record = new LedgerSocket(kind, tuple, listener,
					listener == null ? null : this.listeners.get(listener), event);
			LedgerSocket replaced = this.open.put(new Key(socket, this.collected), record);
			if (replaced != null) {
				// The same object reported open twice: the newer report describes it, under its own tuple only.
				unlink(replaced);
			}
			if (kind == LedgerSocket.Kind.LISTENING) {
				this.listeners.put(local, record);
			}
			else {
				this.byTuple.put(tuple, record);
				LedgerSocket other = this.byTuple.get(tuple.mirror());
				// Both ends of a loopback connection (byTuple holds no listener): whichever opens second links them.
				if (other != null && other.kind() != kind && other.closed() == null) {
					record.pair(other);
				}
			}
		}
	}

	void closed(Object socket) {
		this.events.incrementAndGet();
		// close() reports a socket, then its cleaner action does: the second finds no record, lock-free.
		Probe probe = new Probe(socket);
		LedgerSocket held = this.open.get(probe);
		if (held == null) {
			return;
		}
		// The stack is captured outside the lock; a close racing this one finds the record gone.
		LedgerSocket.Event event = event(!held.peerClosed());
		Throwable closing = event.stack();
		if (closing == null && held.kind() != LedgerSocket.Kind.LISTENING && SuiteReportRecords.isWatched(held.tuple())) {
			// An end that closes after its peer keeps no stack, unless it failed a test: the report says who closed it.
			closing = new LedgerSocket.Trace();
		}
		LedgerSocket record;
		synchronized (this) {
			record = this.open.remove(probe);
			if (record != null) {
				record.close(event);
				this.closed.add(record);
			}
			housekeep(event.nanos());
		}
		if (record != null && record.kind() != LedgerSocket.Kind.LISTENING) {
			// Which thread closed a socket that failed a test tells whether a longer grace could have let it close.
			// Outside the lock: naming the closer may load classes (the pool rule), which must never wait on it.
			SuiteReportRecords.closed(record.tuple(), System.nanoTime(), closing);
		}
	}

	/**
	 * The JDK's cleaner action ran for {@code socket}. Inside close() the close hook has already
	 * removed the record, so this finds none; a record still open means the socket was collected
	 * without close(), and the cleaner, on its own thread, is closing it.
	 */
	void cleaned(Object socket) {
		this.events.incrementAndGet();
		Probe probe = new Probe(socket);
		if (this.open.get(probe) == null) {
			return;
		}
		synchronized (this) {
			LedgerSocket record = this.open.remove(probe);
			long now = this.clock.getAsLong();
			if (record != null) {
				record.close(LedgerSocket.Event.cleaned(Thread.currentThread().getName(), now));
				this.closed.add(record);
			}
			housekeep(now);
			if (record != null && record.kind() != LedgerSocket.Kind.LISTENING) {
				// A socket that failed a test and ends only now, by the cleaner, is a leak, not a late close.
				SuiteReportRecords.cleaned(record.tuple(), System.nanoTime());
			}
		}
	}

	/**
	 * The extension tells the ledger that the current thread runs the test {@code uniqueId}; while
	 * tracing, the threads it creates carry it as their {@link LedgerLineage}.
	 */
	void testStarted(String uniqueId) {
		this.tests.put(Thread.currentThread(), uniqueId);
		if (LedgerEvents.tracing()) {
			LedgerLineage.started(uniqueId);
		}
	}

	void testFinished() {
		String test = this.tests.remove(Thread.currentThread());
		if (test != null) {
			LedgerLineage.finished(test);
		}
	}

	/**
	 * A class's fixtures ({@code @BeforeAll} to {@code @AfterAll}) start on the current thread:
	 * while tracing, threads created there (a server started for the class) carry it as their
	 * lineage. It attributes no socket to the class: that stays the table's and the check's job.
	 */
	void fixtureStarted(String classId) {
		if (LedgerEvents.tracing()) {
			LedgerLineage.started(classId);
		}
	}

	/** The class's fixtures ended. */
	void fixtureFinished(String classId) {
		LedgerLineage.finished(classId);
	}

	/** The test on this thread; else the only test running, if exactly one is; else null. */
	@Nullable String currentTest() {
		String test = this.tests.get(Thread.currentThread());
		if (test == null && this.tests.size() == 1) {
			Iterator<String> running = this.tests.values().iterator();
			return running.hasNext() ? running.next() : null;
		}
		return test;
	}

	/** The newest connected or accepted socket with this 4-tuple, if the ledger still holds it. */
	synchronized @Nullable LedgerSocket find(SocketTuple tuple) {
		return this.byTuple.get(tuple);
	}

	/**
	 * The newest listener on {@code local}, as the table lists it; a wildcard listener is listed
	 * as {@code ::} or {@code 0.0.0.0}, whichever the JDK reported.
	 */
	synchronized @Nullable LedgerSocket findListener(Endpoint local) {
		LedgerSocket listener = this.listeners.get(local);
		if (listener == null && local.isWildcard()) {
			listener = this.listeners.get(Endpoint.ipv4(0, local.port()));
			if (listener == null) {
				listener = this.listeners.get(new Endpoint(0, 0, local.port()));
			}
		}
		return listener;
	}

	/** The 4-tuples of the sockets this JVM closed while the test {@code testId} ran, as far as the ledger holds them. */
	synchronized List<SocketTuple> closedDuring(String testId) {
		List<SocketTuple> tuples = new ArrayList<>();
		for (LedgerSocket record : this.closed) {
			LedgerSocket.Event close = record.closed();
			if (record.kind() != LedgerSocket.Kind.LISTENING && close != null && testId.equals(close.testId())) {
				tuples.add(record.tuple());
			}
		}
		return tuples;
	}

	/**
	 * How many sockets this JVM has opened or closed through the JDK so far, recorded or not:
	 * while it is unchanged, no socket of this JVM can have moved into a state a check judges.
	 */
	long openedOrClosed() {
		return this.events.get();
	}

	/** Whether this JVM closed a socket with this 4-tuple while the test {@code testId} ran. */
	synchronized boolean closedDuring(SocketTuple tuple, String testId) {
		LedgerSocket record = this.byTuple.get(tuple);
		LedgerSocket.Event close = record == null ? null : record.closed();
		return close != null && testId.equals(close.testId());
	}

	/**
	 * Drops the closed records whose 4-tuple a read of the table, started at {@code readStart}
	 * ({@link System#nanoTime()}), no longer lists. A socket closed after the read began is kept:
	 * the read may have missed it.
	 */
	void forgetAbsent(Set<SocketTuple> present, long readStart) {
		synchronized (this) {
			for (Iterator<LedgerSocket> it = this.closed.iterator(); it.hasNext();) {
				LedgerSocket record = it.next();
				LedgerSocket.Event close = record.closed();
				if (close != null && close.nanos() - readStart < 0
						&& (record.kind() == LedgerSocket.Kind.LISTENING || !present.contains(record.tuple()))) {
					it.remove();
					unlink(record);
				}
			}
			housekeep(this.clock.getAsLong());
		}
	}

	/** Records held now, open and closed. */
	synchronized int size() {
		return this.open.size() + this.closed.size();
	}

	/** Sockets not recorded because the ledger was full of open ones. */
	synchronized long unrecorded() {
		return this.unrecorded;
	}

	long now() {
		return this.clock.getAsLong();
	}

	/** This thread's event now; without its stack when {@code withStack} is false, as a close after the peer's. */
	private LedgerSocket.Event event(boolean withStack) {
		Thread thread = Thread.currentThread();
		String own = this.tests.get(thread);
		return new LedgerSocket.Event(withStack ? new LedgerSocket.Trace() : null, thread.getName(),
				own != null ? own : currentTest(), this.clock.getAsLong(), own != null,
				withStack ? LedgerSocket.Closer.CALL : LedgerSocket.Closer.AFTER_PEER, LedgerLineage.ofCurrentThread());
	}

	/**
	 * Sockets the GC collected with no close reported count as closed by nobody (their fd may
	 * well stay open: a channel has no cleaner); closed records past the orphan timeout go.
	 */
	private void housekeep(long now) {
		for (Object cleared; (cleared = this.collected.poll()) != null;) {
			LedgerSocket record = this.open.remove(cleared);
			if (record != null) {
				record.close(LedgerSocket.Event.collected(now));
				this.closed.add(record);
			}
		}
		for (Iterator<LedgerSocket> it = this.closed.iterator(); it.hasNext();) {
			LedgerSocket record = it.next();
			LedgerSocket.Event close = record.closed();
			if (close == null || now - close.nanos() < this.orphanNanos) {
				break;
			}
			it.remove();
			unlink(record);
		}
	}

	private boolean evictOldestClosed() {
		Iterator<LedgerSocket> it = this.closed.iterator();
		if (!it.hasNext()) {
			return false;
		}
		LedgerSocket oldest = it.next();
		it.remove();
		unlink(oldest);
		return true;
	}

	private void unlink(LedgerSocket record) {
		record.unpair();
		if (record.kind() == LedgerSocket.Kind.LISTENING) {
			this.listeners.remove(record.tuple().local(), record);
		}
		else {
			this.byTuple.remove(record.tuple(), record);
		}
	}

	private @Nullable Endpoint listenerOf(Endpoint local) {
		for (Endpoint candidate : new Endpoint[] { local, Endpoint.ipv4(0, local.port()), new Endpoint(0, 0, local.port()) }) {
			LedgerSocket listener = this.listeners.get(candidate);
			if (listener != null && listener.closed() == null) {
				return candidate;
			}
		}
		return null;
	}

	/** The address as the table prints it: IPv4 as IPv4-mapped IPv6, like the parser. */
	static @Nullable Endpoint endpoint(InetSocketAddress address) {
		InetAddress ip = address.getAddress();
		if (ip == null) {
			return null;
		}
		byte[] bytes = ip.getAddress();
		if (bytes.length == 4) {
			return Endpoint.ipv4(word(bytes, 0), address.getPort());
		}
		long high = (word(bytes, 0) & 0xFFFF_FFFFL) << 32 | (word(bytes, 4) & 0xFFFF_FFFFL);
		long low = (word(bytes, 8) & 0xFFFF_FFFFL) << 32 | (word(bytes, 12) & 0xFFFF_FFFFL);
		return new Endpoint(high, low, address.getPort());
	}

	/** The remote address the table shows for a listener: the wildcard of its family, port 0. */
	private static @Nullable Endpoint wildcard(@Nullable Endpoint local) {
		if (local == null) {
			return null;
		}
		return local.isIpv4() ? Endpoint.ipv4(0, 0) : new Endpoint(0, 0, 0);
	}

	private static int word(byte[] bytes, int offset) {
		return (bytes[offset] & 0xFF) << 24 | (bytes[offset + 1] & 0xFF) << 16 | (bytes[offset + 2] & 0xFF) << 8
				| (bytes[offset + 3] & 0xFF);
	}

	/** An open socket, by identity and held weakly: the ledger must not keep a dropped socket from its cleaner. */
	private static final class Key extends WeakReference<Object> {

		private final int hash;

		Key(Object socket, ReferenceQueue<Object> queue) {
			super(socket, queue);
			this.hash = System.identityHashCode(socket);
		}

		@Override
		public int hashCode() {
			return this.hash;
		}

		@Override
		public boolean equals(Object other) {
			if (other == this) {
				return true;
			}
			Object socket = get();
			return socket != null && other instanceof Key key && key.get() == socket;
		}
	}

	/** Looks up a {@link Key} without creating a reference. */
	private static final class Probe {

		private final Object socket;

		Probe(Object socket) {
			this.socket = socket;
		}

		@Override
		public int hashCode() {
			return System.identityHashCode(this.socket);
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Key key && key.get() == this.socket;
		}
	}
}
