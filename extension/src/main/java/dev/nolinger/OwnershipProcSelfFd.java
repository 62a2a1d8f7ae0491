/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Reads socket inodes from the {@code socket:[INODE]} links in {@code /proc/self/fd}. */
final class OwnershipProcSelfFd implements OwnershipInodeSource {

	private final Path fdDirectory;

	OwnershipProcSelfFd(Path fdDirectory) {
		this.fdDirectory = fdDirectory;
	}

	@Override
	public Set<Long> socketInodes() throws SocketTableException {
		return socketFds().keySet();
	}

	@Override
	public Map<Long, Integer> socketFds() throws SocketTableException {
		Map<Long, Integer> inodes = new HashMap<>();
		try (DirectoryStream<Path> fds = Files.newDirectoryStream(this.fdDirectory)) {
			for (Path fd : fds) {
				String target = ProcFiles.linkTarget(fd);
				try {
					long inode = ProcFiles.socketInode(target);
					if (inode >= 0) {
						inodes.put(inode, Integer.parseInt(fd.getFileName().toString()));
					}
				}
				catch (NumberFormatException e) {
					throw new SocketTableException("unexpected link " + fd + " -> " + target, e);
				}
			}
		}
		catch (AccessDeniedException e) {
			throw new SocketTableException("cannot list " + this.fdDirectory
					+ ": permission denied; nolinger needs it to tell this JVM's sockets from other processes'", e);
		}
		catch (NoSuchFileException e) {
			throw new SocketTableException("cannot list " + this.fdDirectory + ": it does not exist", e);
		}
		catch (IOException e) {
			throw new SocketTableException("cannot list " + this.fdDirectory + ": " + e, e);
		}
		return inodes;
	}
}
