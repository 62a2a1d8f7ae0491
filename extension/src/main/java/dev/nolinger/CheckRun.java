/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;

/**
 * What the checks of one run share: its configuration, the check that reads the table, the
 * baseline file, the windows open at once, and the sockets already reported. The extension keeps
 * one per engine run (in the root context's store, which closes it when the run ends).
 */
final class CheckRun implements AutoCloseable {

	private static final Logger LOGGER = Logger.getLogger(NoLingeringSocketsExtension.class.getName());

	private final CheckConfiguration configuration;

	private final boolean parallel;

	/**
	 * The sockets a test's check already reported, failed or tolerated: a class check that
	 * follows does not report them again. Kept for the run, as an outer class follows its nested ones.
	 */
	private final Set<TcpSocket.Key> accounted = ConcurrentHashMap.newKeySet();

	private final CheckConcurrency concurrency = new CheckConcurrency();

	private final AtomicBoolean parallelNoticed = new AtomicBoolean();

	private final AtomicBoolean unsupportedWarned = new AtomicBoolean();

	/**
	 * Each annotation's settings over this run's configuration, resolved at its first test: the
	 * extension finds the same annotation instance for every test it covers. By identity, as an
	 * annotation's own {@code hashCode} walks its attributes.
	 */
	private final Map<NoLingeringSockets, CheckSettings> settings = Collections.synchronizedMap(new IdentityHashMap<>());

	private @Nullable CheckSettings unannotated;

	private @Nullable Check check;

	private @Nullable BaselineFile baselineFile;

	private @Nullable BaselinePorts ephemeralPorts;

	private @Nullable BaselineWriter baselineWriter;

	/** {@code parallel}: JUnit runs tests in parallel in this run. */
	CheckRun(CheckConfiguration configuration, boolean parallel) {
		this.configuration = configuration;
		this.parallel = parallel;
	}

	/** A run whose checks go through {@code check}, for tests that script its reads. */
	CheckRun(CheckConfiguration configuration, boolean parallel, Check check) {
		this(configuration, parallel);
		this.check = check;
	}

	CheckConfiguration configuration() {
		return this.configuration;
	}

	/**
	 * The settings of a test or class under the nearest annotation, or none; an invalid attribute
	 * throws each time it is asked, naming the attribute.
	 */
	CheckSettings settings(@Nullable NoLingeringSockets annotation) {
		if (annotation == null) {
			CheckSettings defaults = this.unannotated;
			if (defaults == null) {
				defaults = CheckSettings.resolve(null, this.configuration);
				this.unannotated = defaults;
			}
			return defaults;
		}
		CheckSettings known = this.settings.get(annotation);
		if (known == null) {
			known = CheckSettings.resolve(annotation, this.configuration);
			this.settings.put(annotation, known);
		}
		return known;
	}

	CheckConcurrency concurrency() {
		return this.concurrency;
	}

	/** Marks what a check reported, so that a class check that follows does not report it again. */
	void account(List<Finding> findings) {
		for (Finding finding : findings) {
			this.accounted.add(finding.socket().key());
			// A connection's other end, this JVM's, is named in the test's message even when not judged:
			// not the class's to fail for again.
			if (finding.otherEnd() != null) {
				this.accounted.add(finding.otherEnd().key());
			}
		}
	}

	/** The findings no check of this run reported yet. */
	List<Finding> notAccounted(List<Finding> findings) {
		return findings.stream().filter(f -> !this.accounted.contains(f.socket().key())).toList();
	}

	synchronized Check check() {
		if (this.check == null) {
			SocketTableSource source = SocketTableSources.select(this.configuration);
			SuiteReportRecords.lookAgainWith(source);
			// Traced, the ledger counts every open and close, so a check skips a read only when none happened.
			CheckSocketActivity activity = () -> LedgerEvents.tracing()
					? OptionalLong.of(Ledger.INSTANCE.openedOrClosed()) : OptionalLong.empty();
			// The no-read proof is kept per run, not per test: under parallel execution a
			// concurrent test's check could reuse it and miss a leak (GlobalParallelTests).
			this.check = new Check(source, SocketTableSources.fds(source), activity,
					this.configuration.readAlways() || this.parallel);
		}
		return this.check;
	}

	synchronized BaselineFile baselineFile() {
		if (this.baselineFile == null) {
			this.baselineFile = this.configuration.baseline()
				.map(file -> BaselineFile.read(file, NoLingeringSocketsExtension.BASELINE_KEY))
				.orElseGet(BaselineFile::empty);
		}
		return this.baselineFile;
	}

	synchronized BaselinePorts ephemeralPorts() {
		if (this.ephemeralPorts == null) {
			this.ephemeralPorts = BaselinePorts.read(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
		}
		return this.ephemeralPorts;
	}

	/** Collects this run's findings for the baseline file, which {@link #close()} rewrites. */
	synchronized BaselineWriter baselineWriter() {
		if (this.baselineWriter == null) {
			this.baselineWriter = new BaselineWriter(this.configuration.baseline().orElseThrow(), ephemeralPorts());
		}
		return this.baselineWriter;
	}

	/** Says once per run, when tests run in parallel, what is judged and what is not. */
	void noticeParallelExecution() {
		if (this.parallel && this.parallelNoticed.compareAndSet(false, true)) {
			System.out.println(Messages.parallelNotice());
		}
	}

	/**
	 * The table cannot be read on this platform: an error when so configured, else one warning
	 * per run, logged and handed to {@code reportEntry}.
	 */
	void unsupportedPlatform(Consumer<String> reportEntry) throws SocketTableException {
		String looked = check().source().describe();
		if (this.configuration.failOnUnsupportedPlatform()) {
			throw new SocketTableException(Messages.unsupportedPlatform(looked, NoLingeringSocketsExtension.UNSUPPORTED_KEY));
		}
		if (this.unsupportedWarned.compareAndSet(false, true)) {
			String warning = Messages.skippedOnUnsupportedPlatform(looked, NoLingeringSocketsExtension.UNSUPPORTED_KEY);
			LOGGER.warning(warning);
			reportEntry.accept(warning);
		}
	}

	/**
	 * A test opted out with {@code enabled = false} inside a checked class: a snapshot of what it
	 * leaves, so that the class's own check does not fail for it; null when nothing needs it.
	 */
	@Nullable CheckSnapshot optedOut() {
		if (!this.configuration.classes() || !check().source().isAvailable()) {
			return null;
		}
		try {
			return check().snapshot(this.configuration.states());
		}
		catch (SocketTableException e) {
			// the class check then may see this test's sockets; nothing else depends on it
			return null;
		}
	}

	/** After an opted-out test: not judged, but the class check that follows must not charge the class for it either. */
	void optedOutEnded(CheckSnapshot snapshot) throws SocketTableException {
		account(check().findings(snapshot, this.configuration.states()));
	}

	/** Rewrites the baseline file when this was a {@value NoLingeringSocketsExtension#BASELINE_WRITE_KEY} run. */
	@Override
	public synchronized void close() throws IOException {
		if (this.baselineWriter != null) {
			this.baselineWriter.close();
		}
	}
}
