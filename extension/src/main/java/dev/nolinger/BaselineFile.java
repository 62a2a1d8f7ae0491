/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The baseline file: the lingering sockets each test is known to leave, so a big legacy suite can
 * adopt the check and fail only on new leaks. Entries are keyed by what stays stable across runs:
 * the test's unique ID, the state, which end, and the server port. An ephemeral port (in the
 * kernel's {@code ip_local_port_range}) changes every run, so it is written as {@code *}.
 *
 * <pre>
 * # test id	state	end	server port	count
 * [engine:junit-jupiter]/[class:com.acme.OrderIT]/[method:places()]	CLOSE_WAIT	server end	8080	1
 * </pre>
 */
final class BaselineFile {

	/** What identifies a lingering socket across runs. */
	record Key(TcpState state, String end, String serverPort) {
	}

	static final String HEADER = """
			# nolinger baseline: lingering sockets each test is known to leave. A test fails only when it leaves more.
			# Rewrite it with -Dnolinger.baseline.write=true; it shrinks as leaks are fixed. Ports in the ephemeral
			# range change every run and are written as *.
			# test id	state	end	server port	count
			""";

	private final Map<String, Map<Key, Integer>> byTest;

	private BaselineFile(Map<String, Map<Key, Integer>> byTest) {
		this.byTest = byTest;
	}

	static BaselineFile empty() {
		return new BaselineFile(new TreeMap<>());
	}

	/** Reads the file; a missing file is an empty baseline, a malformed one an error naming the line. */
	static BaselineFile read(Path file, String key) {
		String text;
		try {
			text = Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (NoSuchFileException e) {
			return empty();
		}
		catch (IOException e) {
			throw CheckConfiguration.invalid(key, file.toString(), "a readable baseline file (" + e + ")");
		}
		return parse(text, file, key);
	}

	static BaselineFile parse(String text, Path file, String key) {
		Map<String, Map<Key, Integer>> byTest = new TreeMap<>();
		String[] lines = text.split("\n", -1);
		for (int i = 0; i < lines.length; i++) {
			String line = lines[i].strip();
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			String[] f = lines[i].split("\t", -1);
			try {
				if (f.length != 5) {
					throw new IllegalArgumentException("expected 5 tab-separated columns, found " + f.length);
				}
				Key entry = new Key(TcpState.valueOf(f[1].strip()), f[2].strip(), f[3].strip());
				int count = Integer.parseInt(f[4].strip());
				if (count < 1) {
					throw new IllegalArgumentException("the count must be 1 or more");
				}
				byTest.computeIfAbsent(f[0].strip(), t -> new HashMap<>()).merge(entry, count, Integer::sum);
			}
			catch (IllegalArgumentException e) {
				throw CheckConfiguration.invalid(key, file.toString(),
						"a baseline file whose line %d is 'test id, state, end, server port, count' (%s): %s"
							.formatted(i + 1, e.getMessage(), line));
			}
		}
		return new BaselineFile(byTest);
	}

	/** The findings beyond what the baseline allows this test, each key's allowance used up first come. */
	List<Finding> beyond(String testId, List<Finding> findings, BaselinePorts ephemeral) {
		Map<Key, Integer> allowed = new HashMap<>(this.byTest.getOrDefault(testId, Map.of()));
		List<Finding> beyond = new ArrayList<>();
		for (Finding finding : findings) {
			Key key = key(finding, ephemeral);
			int left = allowed.getOrDefault(key, 0);
			if (left > 0) {
				allowed.put(key, left - 1);
			}
			else {
				beyond.add(finding);
			}
		}
		return beyond;
	}

	static Key key(Finding finding, BaselinePorts ephemeral) {
		int port = finding.serverPort();
		String serverPort = port < 0 ? "?" : ephemeral.contains(port) ? "*" : String.valueOf(port);
		return new Key(finding.socket().state(), finding.role().label(), serverPort);
	}

	/**
	 * Rewrites the file under a lock: the tests this JVM checked get their new entries (none when
	 * they ran clean), and every other test keeps its lines, so Surefire forks can each write theirs.
	 */
	static void rewrite(Path file, Map<String, List<Key>> checked) throws IOException {
		Path lockFile = file.toAbsolutePath().resolveSibling(file.getFileName() + ".lock");
		ForkLock.holding(lockFile, () -> {
			BaselineFile current = Files.exists(file) ? parse(Files.readString(file, StandardCharsets.UTF_8), file, "baseline")
					: empty();
			for (Map.Entry<String, List<Key>> test : checked.entrySet()) {
				Map<Key, Integer> counts = new HashMap<>();
				test.getValue().forEach(key -> counts.merge(key, 1, Integer::sum));
				if (counts.isEmpty()) {
					current.byTest.remove(test.getKey());
				}
				else {
					current.byTest.put(test.getKey(), counts);
				}
			}
			Files.writeString(file, current.format(), StandardCharsets.UTF_8);
			return current;
		});
	}

	String format() {
		StringBuilder text = new StringBuilder(HEADER);
		for (Map.Entry<String, Map<Key, Integer>> test : new TreeMap<>(this.byTest).entrySet()) {
			test.getValue()
				.entrySet()
				.stream()
				.sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(Key::state)
					.thenComparing(Key::end)
					.thenComparing(Key::serverPort)))
				.forEach(e -> text.append(String.join("\t", test.getKey(), e.getKey().state().name(), e.getKey().end(),
						e.getKey().serverPort(), String.valueOf(e.getValue())))
					.append('\n'));
		}
		return text.toString();
	}
}
