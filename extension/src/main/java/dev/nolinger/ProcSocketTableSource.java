/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads {@code tcp} and {@code tcp6} from a {@code /proc/net} directory. */
final class ProcSocketTableSource implements SocketTableSource {

	/** The kernel hands out at most one page per read(); 8 KiB keeps FileInputStream off malloc. */
	private static final int READ_CHUNK = 8192;

	private final Path tcp;
	private final Path tcp6;

	ProcSocketTableSource(Path procNet) {
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
	public SocketTable read() throws SocketTableException {
		List<TcpSocket> lines = new ArrayList<>();
		readInto(this.tcp, false, false, lines);
		// A kernel built without IPv6 has no tcp6; every socket is then in tcp.
		readInto(this.tcp6, true, true, lines);
		return SocketTable.of(lines);
	}

	private static void readInto(Path file, boolean ipv6, boolean mayBeMissing, List<TcpSocket> lines)
			throws SocketTableException {
		byte[] data = new byte[16 * 1024];
		int length = 0;
		try (InputStream in = Files.newInputStream(file)) {
			while (true) {
				if (data.length - length < READ_CHUNK) {
					data = Arrays.copyOf(data, data.length * 2);
				}
				int n = in.read(data, length, READ_CHUNK);
				if (n < 0) {
					break;
				}
				length += n;
			}
		}
		catch (NoSuchFileException e) {
			if (mayBeMissing) {
				return;
			}
			throw new SocketTableException("cannot read " + file + ": the file does not exist", e);
		}
		catch (AccessDeniedException e) {
			throw new SocketTableException("cannot read " + file + ": permission denied", e);
		}
		catch (IOException e) {
			throw new SocketTableException("cannot read " + file + ": " + e, e);
		}
		ProcNetTcpParser.parse(file.toString(), data, length, ipv6, lines::add);
	}
}
