/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Path;

/** The kernel's {@code ip_local_port_range}: ports handed out to bind(0) and connect(), different every run. */
record BaselinePorts(int low, int high) {

	/** Linux's default, used when the file cannot be read. */
	static final BaselinePorts LINUX_DEFAULT = new BaselinePorts(32768, 60999);

	static BaselinePorts read(Path file) {
		try {
			String[] range = ProcFiles.readString(file).strip().split("\\s+");
			return new BaselinePorts(Integer.parseInt(range[0]), Integer.parseInt(range[1]));
		}
		catch (IOException | RuntimeException e) {
			return LINUX_DEFAULT;
		}
	}

	boolean contains(int port) {
		return port >= this.low && port <= this.high;
	}
}
