/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a file, so that Surefire forks, which are separate JVMs, take turns at
 * files they all rewrite: the baseline file and the suite report.
 */
final class ForkLock {

	/** What runs while the lock is held. */
	@FunctionalInterface
	interface Work<T> {

		T run() throws IOException;
	}

	private ForkLock() {
	}

	/** Creates the lock file and its directory if needed, waits for the lock, and runs {@code work} holding it. */
	@SuppressWarnings("try") // the lock is held for the block's duration, never referenced
	static <T> T holding(Path lockFile, Work<T> work) throws IOException {
		Files.createDirectories(lockFile.toAbsolutePath().getParent());
		try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
				FileLock forks = channel.lock()) {
			return work.run();
		}
	}
}
