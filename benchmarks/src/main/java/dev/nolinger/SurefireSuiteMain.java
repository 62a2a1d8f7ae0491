/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fork shapes users have, through Maven and Surefire as a build runs them: {@code
 * benchmarks/surefire-suite} runs 300 trivial tests unannotated and under {@code @NoLingeringSockets}
 * in one fork, alternating, after a warm-up class. Each shape is run {@code rounds} times, each time
 * in a new fork; the figure per round is the annotated classes' time over the unannotated ones'
 * (inside the fork, {@code @BeforeAll} to {@code @AfterAll}), and the table gives the median round,
 * with the checks' own time per test that the fork's suite summary prints.
 *
 * <p>Shapes: Surefire's default fork node (the fork holds no socket) and its TCP fork node (the fork
 * holds an established loopback link to Maven, as a Gradle worker holds one to its daemon), on each
 * JDK given, set up as the README's snippet sets it up ({@code -javaagent} and
 * {@code --enable-native-access=ALL-UNNAMED}); and the TCP shape again with 18,000 other sockets in
 * the table.
 *
 * <p>Arguments: the nolinger jar, the Maven wrapper, rounds, then {@code label=JAVA_HOME} pairs.
 */
public final class SurefireSuiteMain {

	static final int OTHER_SOCKETS = 18_000;

	private SurefireSuiteMain() {
	}

	public static void main(String[] args) throws Exception {
		String jar = args[0];
		String mvnw = args[1];
		int rounds = Integer.parseInt(args[2]);
		Map<String, String> jdks = new LinkedHashMap<>();
		for (int i = 3; i < args.length; i++) {
			jdks.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
		}
		Path project = Path.of("benchmarks/surefire-suite");
		StringBuilder table = new StringBuilder("""
				| JVM | fork node | other sockets in the table | unannotated, 300 tests | annotated | ÷ unannotated | check per test | the checks' own time per test | load average |
				| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
				""");
		for (int others : new int[] { 0, OTHER_SOCKETS }) {
			LoopbackTable filled = LoopbackTable.fill(others);
			try {
				for (Map.Entry<String, String> jdk : jdks.entrySet()) {
					for (String node : others == 0 ? List.of("pipe", "tcp") : List.of("tcp")) {
						String load = loadAverage();
						List<double[]> results = new ArrayList<>();
						for (int round = 0; round < rounds; round++) {
							results.add(round(project, mvnw, jdk.getValue(), node, jar));
						}
						load += " to " + loadAverage();
						table.append(row(jdk.getKey(), node, others, results, load));
					}
				}
			}
			finally {
				filled.close();
			}
		}
		System.out.print(table);
	}

	/** The summary's line that says what the checks took: {@code the checks took 141.0 ms in all, 0.235 ms per test}. */
	private static final Pattern COST = Pattern.compile("the checks took [0-9.]+ ms in all, ([0-9.]+) ms per test");

	/**
	 * One fork: {plain ms, annotated ms} over both pairs of classes, and the checks' own time per
	 * test, as the fork's suite summary gives it ({@code CheckCost}: the snapshots and reads alone,
	 * without JUnit's calls into the extension).
	 */
	private static double[] round(Path project, String mvnw, String javaHome, String node, String jar) throws Exception {
		Path timings = project.resolve("target/timings.txt");
		Files.deleteIfExists(timings);
		Path output = project.resolve("target/maven-output.txt");
		Files.createDirectories(output.getParent());
		ProcessBuilder maven = new ProcessBuilder(mvnw, "-q", "-B", "-ntp", "-f", project.resolve("pom.xml").toString(),
				"test", "-Dnolinger.forkNode=" + node,
				"-Dnolinger.argLine=-javaagent:" + jar + " --enable-native-access=ALL-UNNAMED")
			.redirectErrorStream(true)
			.redirectOutput(output.toFile());
		maven.environment().put("JAVA_HOME", javaHome);
		Process process = maven.start();
		if (!process.waitFor(10, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new IllegalStateException("the suite did not finish in 10 minutes");
		}
		if (process.exitValue() != 0) {
			throw new IllegalStateException("the suite failed: mvnw exited " + process.exitValue());
		}
		Map<String, Double> millis = new HashMap<>();
		for (String line : Files.readAllLines(timings, StandardCharsets.UTF_8)) {
			String[] fields = line.split(" ");
			millis.put(fields[0], Double.parseDouble(fields[1]));
		}
		Matcher cost = COST.matcher(Files.readString(output, StandardCharsets.UTF_8));
		if (!cost.find()) {
			throw new IllegalStateException("the suite printed no nolinger summary with its cost: see " + output);
		}
		return new double[] { millis.get("A1PlainTests") + millis.get("A3PlainTests"),
				millis.get("A2AnnotatedTests") + millis.get("A4AnnotatedTests"), Double.parseDouble(cost.group(1)) };
	}

	private static String row(String jvm, String node, int others, List<double[]> results, String load) {
		List<Double> ratios = new ArrayList<>();
		List<Double> plain = new ArrayList<>();
		List<Double> annotated = new ArrayList<>();
		List<Double> perTest = new ArrayList<>();
		List<Double> checks = new ArrayList<>();
		for (double[] result : results) {
			ratios.add(result[1] / result[0]);
			plain.add(result[0] / 2);
			annotated.add(result[1] / 2);
			perTest.add((result[1] - result[0]) / 600);
			checks.add(result[2]);
		}
		return String.format(Locale.ROOT,
				"| %s | %s | %,d | %.1f ms | %.1f ms | %.2f× (%.2f× to %.2f×) | %.3f ms | %.3f ms (%.3f to %.3f) | %s |%n", jvm,
				node.equals("tcp") ? "TCP (holds a link to Maven)" : "default (holds no socket)", others, median(plain),
				median(annotated), median(ratios), Collections.min(ratios), Collections.max(ratios), median(perTest),
				median(checks), Collections.min(checks), Collections.max(checks), load);
	}

	static double median(List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		int n = sorted.size();
		return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

	private static String loadAverage() throws IOException {
		return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
	}
}
