/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which processes hold which socket inodes, from the {@code socket:[INODE]} links in every
 * {@code /proc/PID/fd}. Processes come and go during the scan, and other users' fd tables are
 * closed to a non-root reader; both are expected, and only counted.
 */
final class CommandProcesses {

	private static final int MAX_COMMAND_LINE_BYTES = 64 * 1024;

	private final Path procRoot;
	private final Map<Long, List<Long>> pidsByInode;
	private final int unreadableProcesses;

	private CommandProcesses(Path procRoot, Map<Long, List<Long>> pidsByInode, int unreadableProcesses) {
		this.procRoot = procRoot;
		this.pidsByInode = pidsByInode;
		this.unreadableProcesses = unreadableProcesses;
	}

	/**
	 * Scans every process, keeping only the given inodes. With none wanted, nothing is scanned.
	 *
	 * @throws SocketTableException when {@code procRoot} itself cannot be listed
	 */
	static CommandProcesses scan(Path procRoot, Set<Long> inodes) throws SocketTableException {
		if (inodes.isEmpty()) {
			return new CommandProcesses(procRoot, Map.of(), 0);
		}
		List<Long> pids = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString();
				if (isPid(name)) {
					pids.add(Long.parseLong(name));
				}
			}
		}
		catch (IOException | DirectoryIteratorException e) {
			throw new SocketTableException("cannot list the processes in " + procRoot + ": " + e, e);
		}
		// Ascending pids make each inode's list ascending, so the first holder is the oldest process.
		Collections.sort(pids);
		Map<Long, List<Long>> pidsByInode = new HashMap<>();
		int unreadable = 0;
		for (long pid : pids) {
			if (!scanProcess(procRoot.resolve(Long.toString(pid)).resolve("fd"), pid, inodes, pidsByInode)) {
				unreadable++;
			}
		}
		return new CommandProcesses(procRoot, pidsByInode, unreadable);
	}

	/** Returns false when the process's fd table exists but cannot be read. */
	private static boolean scanProcess(Path fdDirectory, long pid, Set<Long> inodes, Map<Long, List<Long>> pidsByInode) {
		try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDirectory)) {
			for (Path fd : fds) {
				long inode;
				try {
					inode = ProcFiles.socketInode(ProcFiles.linkTarget(fd));
				}
				catch (NumberFormatException notAnInode) {
					continue;
				}
				if (inodes.contains(inode)) {
					List<Long> holders = pidsByInode.computeIfAbsent(inode, k -> new ArrayList<>(1));
					// A process holding one socket in two fds (dup) is one holder.
					if (holders.isEmpty() || holders.get(holders.size() - 1) != pid) {
						holders.add(pid);
					}
				}
			}
			return true;
		}
		catch (NoSuchFileException exitedDuringScan) {
			return true;
		}
		catch (DirectoryIteratorException e) {
			return e.getCause() instanceof NoSuchFileException;
		}
		catch (AccessDeniedException e) {
			return false;
		}
		catch (IOException e) {
			// The kernel answers ESRCH and the like for a process that is exiting right now.
			return !Files.isDirectory(fdDirectory.getParent());
		}
	}

	private static boolean isPid(String name) {
		if (name.isEmpty() || name.length() > 10) {
			return false;
		}
		for (int i = 0; i < name.length(); i++) {
			if (name.charAt(i) < '0' || name.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

	/** The processes that hold the inode open, ascending; empty when none that could be read. */
	List<Long> holders(long inode) {
		return inode == 0 ? List.of() : this.pidsByInode.getOrDefault(inode, List.of());
	}

	/** How many processes' fd tables could not be read, almost always for lack of permission. */
	int unreadableProcesses() {
		return this.unreadableProcesses;
	}

	/**
	 * The process's command line, arguments separated by spaces, as {@code ps -o args} shows it:
	 * {@code [comm]} for a process with an empty command line, such as a kernel thread or zombie.
	 */
	String commandLine(long pid) {
		Path directory = this.procRoot.resolve(Long.toString(pid));
		try {
			byte[] bytes = ProcFiles.readBytes(directory.resolve("cmdline"));
			int length = Math.min(bytes.length, MAX_COMMAND_LINE_BYTES);
			while (length > 0 && bytes[length - 1] == 0) {
				length--;
			}
			if (length > 0) {
				for (int i = 0; i < length; i++) {
					if (bytes[i] == 0) {
						bytes[i] = ' ';
					}
				}
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			return "[" + ProcFiles.readString(directory.resolve("comm")).strip() + "]";
		}
		catch (NoSuchFileException e) {
			return "(exited)";
		}
		catch (AccessDeniedException e) {
			return "(command line: permission denied)";
		}
		catch (IOException e) {
			return "(command line unreadable: " + e.getMessage() + ")";
		}
	}
}
