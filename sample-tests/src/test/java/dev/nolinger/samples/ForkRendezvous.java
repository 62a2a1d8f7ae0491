/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * Two Surefire forks meeting through signal files, to prove that their test classes run at the
 * same time. Each signal names the JVM that wrote it by PID and start time; a file left by an
 * earlier build names a process that has exited, or a reused PID with another start time, and is
 * ignored.
 */
final class ForkRendezvous {

	/** The system property with the directory, which the module's Surefire configuration sets. */
	static final String DIRECTORY_PROPERTY = "nolinger.samples.rendezvous";

	/** How long to wait for the other fork. */
	static final Duration PATIENCE = Duration.ofSeconds(30);

	private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

	private final Path directory;

	private ForkRendezvous(Path directory) {
		this.directory = directory;
	}

	/**
	 * The rendezvous Surefire set up. Outside Surefire, in an IDE say, there is no other fork to
	 * meet, and the calling test is skipped.
	 */
	static ForkRendezvous fromSystemProperty() throws IOException {
		String directory = System.getProperty(DIRECTORY_PROPERTY, "");
		Assumptions.assumeFalse(directory.isBlank(),
				() -> "system property " + DIRECTORY_PROPERTY + " is not set: no second Surefire fork to meet");
		return new ForkRendezvous(Files.createDirectories(Path.of(directory)));
	}

	/** Announces {@code signal} from this JVM. */
	void signal(String signal) throws IOException {
		Path temporary = Files.createTempFile(this.directory, signal, ".tmp");
		Files.writeString(temporary, Participant.self().toString());
		Files.move(temporary, this.directory.resolve(signal), StandardCopyOption.ATOMIC_MOVE,
				StandardCopyOption.REPLACE_EXISTING);
	}

	/**
	 * Waits up to {@link #PATIENCE} for {@code signal} from a live JVM, and fails unless that is
	 * another JVM than this one.
	 *
	 * @return the JVM that sent it
	 */
	Participant awaitFromOtherFork(String signal) {
		Participant sender = await(signal, Participant::isAlive, "from a live fork");
		assertThat(sender.pid()).as("PID behind signal %s: both classes ran in one fork", signal)
			.isNotEqualTo(ProcessHandle.current().pid());
		return sender;
	}

	/** Waits up to {@link #PATIENCE} for {@code signal} from the given JVM. */
	void awaitFrom(String signal, Participant sender) {
		await(signal, sender::equals, "from " + sender);
	}

	/** Whether {@code signal} has arrived from the given JVM. */
	boolean hasArrived(String signal, Participant sender) throws IOException {
		return read(signal).filter(sender::equals).isPresent();
	}

	private Participant await(String signal, Predicate<Participant> valid, String from) {
		return Awaitility.await("signal " + signal + " " + from + " in " + this.directory)
			.atMost(PATIENCE)
			.pollDelay(Duration.ZERO)
			.pollInterval(POLL_INTERVAL)
			.pollInSameThread()
			.until(() -> read(signal), sender -> sender.filter(valid).isPresent())
			.orElseThrow();
	}

	private Optional<Participant> read(String signal) throws IOException {
		try {
			return Optional.of(Participant.parse(Files.readString(this.directory.resolve(signal))));
		}
		catch (NoSuchFileException notYet) {
			return Optional.empty();
		}
	}

	/** A JVM, named by its PID and start time. */
	record Participant(long pid, Instant started) {

		static Participant self() {
			ProcessHandle self = ProcessHandle.current();
			return new Participant(self.pid(), self.info().startInstant().orElse(Instant.EPOCH));
		}

		static Participant parse(String text) {
			String[] parts = text.strip().split(" ", 2);
			return new Participant(Long.parseLong(parts[0]), Instant.parse(parts[1]));
		}

		boolean isAlive() {
			return ProcessHandle.of(this.pid)
				.filter(ProcessHandle::isAlive)
				.filter(process -> process.info().startInstant().orElse(Instant.EPOCH).equals(this.started))
				.isPresent();
		}

		@Override
		public String toString() {
			return this.pid + " " + this.started;
		}
	}
}
