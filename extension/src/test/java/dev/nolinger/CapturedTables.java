/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Socket tables captured from this kernel by the scripts in {@code src/test/resources/proc}. */
final class CapturedTables {

	private CapturedTables() {
	}

	static byte[] bytes(String resource) {
		try (InputStream in = CapturedTables.class.getResourceAsStream("/proc/" + resource)) {
			if (in == null) {
				throw new IllegalArgumentException("no test resource /proc/" + resource);
			}
			return in.readAllBytes();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static List<TcpSocket> lines(String resource) throws SocketTableException {
		byte[] data = bytes(resource);
		List<TcpSocket> lines = new ArrayList<>();
		SocketTableParser.parse(resource, data, data.length, resource.endsWith("6"), lines::add);
		return lines;
	}

	/** Both files of one capture, as the /proc source would return them. */
	static SocketTable table(String name) throws SocketTableException {
		List<TcpSocket> lines = new ArrayList<>(lines(name + ".tcp"));
		lines.addAll(lines(name + ".tcp6"));
		return SocketTable.of(lines);
	}

	static Properties properties(String resource) {
		Properties properties = new Properties();
		try (InputStream in = CapturedTables.class.getResourceAsStream("/proc/" + resource)) {
			properties.load(in);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return properties;
	}

	static TcpSocket find(SocketTable table, TcpState state, int localPort, int remotePort) {
		return table.sockets().stream()
			.filter(s -> s.state() == state && s.local().port() == localPort && s.remote().port() == remotePort)
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + state + " " + localPort + " -> " + remotePort));
	}
}
