/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Reads {@code tcp} and {@code tcp6} from a {@code /proc/net} directory. */
final class SocketTableProcSource implements SocketTableSource {

	/**
	 * The kernel hands out at most one page per read(), and FileInputStream reads up to 8 KiB
	 * through a buffer on the native stack: larger requests would malloc on every call.
	 */
	private static final int READ_CHUNK = 8192;

	private final Path tcp;
	private final Path tcp6;

	/** Reused across reads, and grown to the largest table seen; guarded by this. */
	private byte[] buffer = new byte[64 * 1024];

	SocketTableProcSource(Path procNet) {
		this.tcp = procNet.resolve("tcp");
		this.tcp6 = procNet.resolve("tcp6");
	}

	@Override
	public boolean isAvailable() {
		return Files.isRegularFile(this.tcp);
	}

	@Override
	public String describe() {
		return this.tcp.toString();
	}

	@Override
	public synchronized SocketTable read(Set<TcpState> states) throws SocketTableException {
		int wanted = SocketTableSource.stateMask(states);
		List<TcpSocket> lines = new ArrayList<>();
		readInto(this.tcp, false, false, wanted, lines);
		// A kernel built without IPv6 has no tcp6; every socket is then in tcp.
		readInto(this.tcp6, true, true, wanted, lines);
		return SocketTable.of(lines);
	}

	private void readInto(Path file, boolean ipv6, boolean mayBeMissing, int wanted, List<TcpSocket> lines)
			throws SocketTableException {
		int length = 0;
		try (FileInputStream in = new FileInputStream(file.toString())) {
			while (true) {
				if (this.buffer.length - length < READ_CHUNK) {
					this.buffer = Arrays.copyOf(this.buffer, this.buffer.length * 2);
				}
				int n = in.read(this.buffer, length, READ_CHUNK);
				if (n < 0) {
					break;
				}
				length += n;
			}
		}
		catch (FileNotFoundException e) {
			// FileInputStream says why only in the message: "(No such file or directory)", "(Permission denied)".
			if (!Files.exists(file)) {
				if (mayBeMissing) {
					return;
				}
				throw new SocketTableException("cannot read " + file + ": the file does not exist", e);
			}
			if (!Files.isReadable(file)) {
				throw new SocketTableException("cannot read " + file + ": permission denied", e);
			}
			throw new SocketTableException("cannot read " + file + ": " + e, e);
		}
		catch (IOException e) {
			throw new SocketTableException("cannot read " + file + ": " + e, e);
		}
		SocketTableParser.parse(file.toString(), this.buffer, length, ipv6, wanted, lines::add);
	}
}
