/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Whether a process running as another user (nobody) could load classes from a directory. */
final class NobodyAccess {

	private NobodyAccess() {
	}

	/** Every ancestor must let others in, and the directory itself let them read. */
	static boolean canLoadFrom(Path directory) {
		try {
			Path absolute = directory.toAbsolutePath();
			if (!Files.getPosixFilePermissions(absolute).contains(PosixFilePermission.OTHERS_READ)) {
				return false;
			}
			for (Path dir = absolute; dir != null; dir = dir.getParent()) {
				Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
				if (!permissions.contains(PosixFilePermission.OTHERS_EXECUTE)) {
					return false;
				}
			}
			return true;
		}
		catch (IOException | UnsupportedOperationException e) {
			return false;
		}
	}
}
