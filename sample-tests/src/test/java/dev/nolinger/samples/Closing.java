/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** Closes several resources, every one of them even when some fail. */
final class Closing {

	private Closing() {
	}

	/** Closes each in order; the first failure is thrown after all were tried, later ones suppressed. */
	static void all(AutoCloseable... resources) throws IOException {
		all(Arrays.asList(resources));
	}

	static void all(List<? extends AutoCloseable> resources) throws IOException {
		IOException failure = null;
		for (AutoCloseable resource : resources) {
			try {
				if (resource != null) {
					resource.close();
				}
			}
			catch (Exception e) {
				IOException wrapped = e instanceof IOException io ? io : new IOException("cannot close " + resource, e);
				if (failure == null) {
					failure = wrapped;
				}
				else {
					failure.addSuppressed(wrapped);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

	/** Closes each after {@code primary} went wrong; failures to close are suppressed into it. */
	static void quietly(Throwable primary, AutoCloseable... resources) {
		try {
			all(resources);
		}
		catch (IOException e) {
			primary.addSuppressed(e);
		}
	}
}
