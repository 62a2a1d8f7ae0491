/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/** The findings of a {@value NoLingeringSocketsExtension#BASELINE_WRITE_KEY} run, written to the baseline file at its end. */
final class BaselineWriter implements AutoCloseable {

	private static final Logger LOGGER = Logger.getLogger(NoLingeringSocketsExtension.class.getName());

	private final Path file;
	private final BaselinePorts ephemeral;
	private final Map<String, List<BaselineFile.Key>> checked = new ConcurrentHashMap<>();

	BaselineWriter(Path file, BaselinePorts ephemeral) {
		this.file = file;
		this.ephemeral = ephemeral;
	}

	void record(String testId, List<Finding> findings) {
		this.checked.put(testId, findings.stream().map(f -> BaselineFile.key(f, this.ephemeral)).toList());
	}

	@Override
	public void close() throws IOException {
		BaselineFile.rewrite(this.file, this.checked);
		LOGGER.info(() -> "nolinger: wrote the baseline of " + this.checked.size() + " checked tests to " + this.file);
	}
}
