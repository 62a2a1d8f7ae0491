/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark in one go and prints the tables of docs/performance.md: medians of the
 * measurement iterations, and the ratios the targets are stated in.
 *
 * <p>Arguments: {@code --java17 <java executable>} also runs the engine suite on that JVM;
 * {@code --quick} runs few, short iterations to see that everything works (its figures mean
 * little); {@code --out <file>} writes the tables there too.
 */
public final class PerformanceReport {

	/** Where the snapshot benchmark's forks note how many sockets the table listed at each size. */
	static final String TABLE_LOG_ENV = "NOLINGER_TABLE_LOG";

	private static final String[] SIZES = { "0", "1000", "10000", "30000" };

	private PerformanceReport() {
	}

	public static void main(String[] args) throws RunnerException, IOException {
		Optional<String> java17 = Optional.empty();
		Optional<Path> out = Optional.empty();
		boolean quick = false;
		boolean checksOnly = false;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--java17" -> java17 = Optional.of(args[++i]);
				case "--out" -> out = Optional.of(Path.of(args[++i]));
				case "--quick" -> quick = true;
				case "--checks-only" -> checksOnly = true;
				default -> throw new IllegalArgumentException("unknown argument " + args[i]
						+ "; expected --java17 <java>, --out <file>, --quick or --checks-only");
			}
		}
		if (Runtime.version().feature() < SocketTableSources.NETLINK_MIN_JAVA) {
			throw new IllegalStateException("run the benchmarks on Java " + SocketTableSources.NETLINK_MIN_JAVA
					+ " or later, which has the netlink source; pass --java17 for the Java 17 figures");
		}
		String here = "Java " + Runtime.version().feature();

		List<RunResult> floors = checksOnly ? List.of()
				: run(options(quick).include(ProcVersusFloorBenchmark.class.getName() + "\\.").param("sockets", SIZES));
		List<RunResult> snapshots = checksOnly ? List.of()
				: run(options(quick).include(SnapshotBenchmark.class.getName() + "\\.").param("sockets", SIZES));
		List<RunResult> cleanChecks = run(options(quick).include(CleanCheckBenchmark.class.getName() + "\\.")
			.param("sockets", "0", "30000")
			.param("connections", "0", "10")
			.param("path", "fast", "always"));
		String javaHere = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Map<String, String> socketFree = socketFreeJvm(javaHere, quick);
		Map<String, String> socketFree17 = java17.isPresent() ? socketFreeJvm(java17.get(), quick) : Map.of();
		List<RunResult> engine = new ArrayList<>(run(options(quick).include(EngineBenchmark.class.getName() + "\\.")
			.param("sockets", "0")
			.param("variant", "unannotated", "proc", "netlink")));
		List<RunResult> engine17 = new ArrayList<>();
		if (java17.isPresent()) {
			engine17.addAll(run(options(quick).include(EngineBenchmark.class.getName() + "\\.")
				.jvm(java17.get())
				.param("sockets", "0")
				.param("variant", "unannotated", "proc")));
		}

		StringBuilder report = new StringBuilder();
		report.append(String.format(Locale.ROOT, "Check of one clean test (snapshot before, findings after), %s with native access, median µs (JMH average time)%n%n", here));
		report.append("| other sockets in the table | live connections this JVM holds | path | check per clean test |\n");
		report.append("| ---: | ---: | --- | ---: |\n");
		for (String size : new String[] { "0", "30000" }) {
			for (String connections : new String[] { "0", "10" }) {
				for (String path : new String[] { "fast", "always" }) {
					report.append(String.format(Locale.ROOT, "| %s | %s (+ JMH's link) | %s | %s |%n", size, connections, path,
							us(medianOf(cleanChecks, "cleanTest", Map.of("sockets", size, "connections", connections, "path", path)))));
				}
			}
		}
		report.append(String.format(Locale.ROOT, "%nA JVM that holds no socket (a child JVM, as a Surefire fork), medians%n%n"));
		report.append("| JVM | source | check of a clean test that touches no socket | 300 trivial tests, unannotated | annotated | ÷ unannotated |\n");
		report.append("| --- | --- | ---: | ---: | ---: | ---: |\n");
		appendSocketFree(report, here, socketFree);
		if (!socketFree17.isEmpty()) {
			appendSocketFree(report, "Java 17", socketFree17);
		}
		report.append("\n");
		if (checksOnly) {
			appendEngineTable(report, here, engine, engine17);
			finish(report, out);
			return;
		}
		report.append(String.format(Locale.ROOT, "Snapshot of the socket table, %s, median ms per read (JMH average time; /proc and its floor read back to back, in alternating order)%n%n", here));
		report.append("| sockets added | sockets listed | kernel floor: read both /proc files | /proc source | /proc ÷ floor | netlink, snapshot states | netlink, checked states only | check per clean test, /proc | check per clean test, netlink |\n");
		report.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
		for (String size : SIZES) {
			double[] split = floorAndProc(floors, size);
			report.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", size,
					listed(size), ms(split[0]), ms(split[1]), ratio(split[2]), ms(median(snapshots, "netlinkSnapshot", size, null) / 1000),
					ms(median(snapshots, "netlinkCheckedStates", size, null) / 1000),
					ms(median(snapshots, "procPerTest", size, null) / 1000),
					ms(median(snapshots, "netlinkPerTest", size, null) / 1000)));
		}
		appendEngineTable(report, here, engine, engine17);
		finish(report, out);
	}

	private static void appendEngineTable(StringBuilder report, String here, List<RunResult> engine,
			List<RunResult> engine17) {
		report.append(String.format(Locale.ROOT, "%n%d trivial tests through the Jupiter engine in a JMH fork (which holds its link to the JMH host), median ms per suite (JMH single shot)%n%n",
				EngineBenchmark.TESTS));
		report.append("| JVM | sockets added | source | suite | per test | ÷ unannotated | check per test |\n");
		report.append("| --- | ---: | --- | ---: | ---: | ---: | ---: |\n");
		appendEngine(report, here, engine, "0", List.of("proc", "netlink"));
		if (!engine17.isEmpty()) {
			appendEngine(report, "Java 17", engine17, "0", List.of("proc"));
		}
	}

	private static void finish(StringBuilder report, Optional<Path> out) throws IOException {
		System.out.println();
		System.out.println(report);
		if (out.isPresent()) {
			Files.writeString(out.get(), report);
			System.out.println("written to " + out.get());
		}
	}

	/** Runs {@link SocketFreeJvmMain} on {@code java} and returns its {@code key value} lines. */
	private static Map<String, String> socketFreeJvm(String java, boolean quick) throws IOException {
		List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-cp",
				System.getProperty("java.class.path"), SocketFreeJvmMain.class.getName(), quick ? "3" : "15");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		Map<String, String> values = new java.util.LinkedHashMap<>();
		try (java.io.BufferedReader output = process.inputReader()) {
			for (String line; (line = output.readLine()) != null;) {
				System.out.println("[socket-free " + java + "] " + line);
				int space = line.indexOf(' ');
				if (space > 0) {
					values.put(line.substring(0, space), line.substring(space + 1));
				}
			}
		}
		try {
			if (process.waitFor() != 0) {
				throw new IOException("the socket-free JVM failed: " + values);
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IOException(e);
		}
		return values;
	}

	private static void appendSocketFree(StringBuilder report, String jvm, Map<String, String> values) {
		double plain = Double.parseDouble(values.getOrDefault("suite-unannotated-ms", "NaN"));
		double annotated = Double.parseDouble(values.getOrDefault("suite-annotated-ms", "NaN"));
		report.append(String.format(Locale.ROOT, "| %s | %s | %s µs | %s ms | %s ms | %s |%n", jvm, values.get("source"),
				values.get("check-us"), ms(plain), ms(annotated), ratio(annotated / plain)));
	}

	private static double medianOf(List<RunResult> results, String benchmark, Map<String, String> params) {
		for (RunResult result : results) {
			if (!result.getParams().getBenchmark().endsWith("." + benchmark)) {
				continue;
			}
			boolean matches = params.entrySet().stream()
				.allMatch(p -> p.getValue().equals(result.getParams().getParam(p.getKey())));
			if (matches) {
				return result.getPrimaryResult().getStatistics().getPercentile(50);
			}
		}
		return Double.NaN;
	}

	private static String us(double micros) {
		return Double.isNaN(micros) ? "n/a" : String.format(Locale.ROOT, micros < 100 ? "%.1f µs" : "%.0f µs", micros);
	}

	private static void appendEngine(StringBuilder report, String jvm, List<RunResult> results, String size,
			List<String> sources) {
		double plain = median(results, "suite", size, "unannotated");
		report.append(String.format(Locale.ROOT, "| %s | %s | none (unannotated) | %s | %s | 1.00× | – |%n", jvm, size, ms(plain),
				ms(plain / EngineBenchmark.TESTS)));
		for (String source : sources) {
			double checked = median(results, "suite", size, source);
			report.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", jvm, size, source, ms(checked),
					ms(checked / EngineBenchmark.TESTS), ratio(checked / plain),
					ms((checked - plain) / EngineBenchmark.TESTS)));
		}
	}

	/**
	 * Medians over the iterations of the interleaved benchmark: ms per floor read, ms per /proc
	 * source read, and the ratio of the two within each iteration.
	 */
	private static double[] floorAndProc(List<RunResult> results, String size) {
		List<Double> floor = new ArrayList<>();
		List<Double> proc = new ArrayList<>();
		List<Double> ratio = new ArrayList<>();
		for (RunResult result : results) {
			if (!size.equals(result.getParams().getParam("sockets"))) {
				continue;
			}
			for (BenchmarkResult benchmark : result.getBenchmarkResults()) {
				for (IterationResult iteration : benchmark.getIterationResults()) {
					double ops = iteration.getMetadata().getMeasuredOps();
					double f = iteration.getSecondaryResults().get("floorNanos").getScore();
					double p = iteration.getSecondaryResults().get("procNanos").getScore();
					floor.add(f / ops / 1e6);
					proc.add(p / ops / 1e6);
					ratio.add(p / f);
				}
			}
		}
		return new double[] { median(floor), median(proc), median(ratio) };
	}

	private static double median(List<Double> values) {
		if (values.isEmpty()) {
			return Double.NaN;
		}
		List<Double> sorted = values.stream().sorted().toList();
		int n = sorted.size();
		return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

	/** The largest table seen at that size, from the snapshot benchmark's forks. */
	private static String listed(String size) {
		String log = System.getenv(TABLE_LOG_ENV);
		if (log == null || !Files.exists(Path.of(log))) {
			return "n/a";
		}
		try {
			return Files.readAllLines(Path.of(log))
				.stream()
				.map(line -> line.split(" "))
				.filter(fields -> fields.length == 2 && fields[0].equals(size))
				.map(fields -> Integer.parseInt(fields[1]))
				.max(Integer::compare)
				.map(String::valueOf)
				.orElse("n/a");
		}
		catch (IOException e) {
			return "n/a";
		}
	}

	private static ChainedOptionsBuilder options(boolean quick) {
		ChainedOptionsBuilder options = new OptionsBuilder().shouldFailOnError(true);
		if (quick) {
			options.warmupIterations(1)
				.measurementIterations(2)
				.warmupTime(TimeValue.milliseconds(200))
				.measurementTime(TimeValue.milliseconds(200));
		}
		return options;
	}

	private static List<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
		Collection<RunResult> results = new Runner(options.build()).run();
		return new ArrayList<>(results);
	}

	private static double median(List<RunResult> results, String benchmark, String size, String variant) {
		for (RunResult result : results) {
			String name = result.getParams().getBenchmark();
			if (name.endsWith("." + benchmark) && size.equals(result.getParams().getParam("sockets"))
					&& (variant == null || variant.equals(result.getParams().getParam("variant")))) {
				return result.getPrimaryResult().getStatistics().getPercentile(50);
			}
		}
		return Double.NaN;
	}

	private static String ms(double millis) {
		if (Double.isNaN(millis)) {
			return "n/a";
		}
		return millis < 10 ? String.format(Locale.ROOT, "%.3f", millis) : String.format(Locale.ROOT, "%.1f", millis);
	}

	private static String ratio(double ratio) {
		return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f×", ratio);
	}
}
