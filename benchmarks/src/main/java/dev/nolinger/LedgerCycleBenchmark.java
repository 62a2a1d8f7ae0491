/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What the agent costs a socket: one loopback connect, accept and close cycle, in a fork without
 * the agent and in a fork with {@code -javaagent} of the nolinger jar. Run its {@link #main}: it
 * runs pairs of both forks and prints the medians, their ratios and the median ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LedgerCycleBenchmark {

	private ServerSocket server;
	private InetSocketAddress address;

	@Setup(Level.Trial)
	public void listen() throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.address = (InetSocketAddress) this.server.getLocalSocketAddress();
	}

	@TearDown(Level.Trial)
	public void stop() throws IOException {
		this.server.close();
	}

	/** Connect, accept, close both ends; the client resets, so no TIME_WAIT piles up. */
	@Benchmark
	public int cycle() throws IOException {
		Socket client = new Socket();
		client.connect(this.address);
		Socket accepted = this.server.accept();
		int port = accepted.getPort();
		client.setSoLinger(true, 0);
		client.close();
		accepted.close();
		return port;
	}

	/**
	 * Runs {@code rounds} pairs of forks, untraced then traced, and prints each pair's medians and
	 * ratio, then the median of the ratios: on a shared machine, the two forks of one pair run in
	 * the same conditions, and the median of several pairs is what docs/performance.md quotes.
	 *
	 * @param args {@code [--quick] [rounds]}; 6 rounds by default
	 */
	public static void main(String[] args) throws Exception {
		String jar = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
			.filter(entry -> new File(entry).getName().matches("nolinger-junit-[^/]*\\.jar"))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no nolinger-junit jar on the classpath"));
		boolean quick = Stream.of(args).anyMatch("--quick"::equals);
		int rounds = Stream.of(args).filter(arg -> arg.matches("[1-9][0-9]*")).mapToInt(Integer::parseInt).findFirst().orElse(6);
		List<Double> ratios = new ArrayList<>();
		StringBuilder table = new StringBuilder();
		for (int round = 1; round <= rounds; round++) {
			double untraced = median(run(options(quick)));
			double traced = median(run(options(quick).jvmArgsAppend("-javaagent:" + jar)));
			ratios.add(traced / untraced);
			table.append(String.format(Locale.ROOT, "round %d: untraced %.1f us, traced %.1f us, ratio %.2f%n", round,
					untraced, traced, traced / untraced));
		}
		Collections.sort(ratios);
		int middle = ratios.size() / 2;
		double median = ratios.size() % 2 == 1 ? ratios.get(middle) : (ratios.get(middle - 1) + ratios.get(middle)) / 2;
		System.out.printf(Locale.ROOT, "%nconnect+accept+close, JMH sample mode medians, untraced then traced fork:%n%s"
				+ "median of the %d ratios: %.2f (range %.2f to %.2f)%n", table, rounds, median, ratios.get(0),
				ratios.get(ratios.size() - 1));
	}

	private static ChainedOptionsBuilder options(boolean quick) {
		ChainedOptionsBuilder options = new OptionsBuilder().include(LedgerCycleBenchmark.class.getName() + "\\.");
		return quick ? options.warmupIterations(1).measurementIterations(1) : options;
	}

	private static Collection<RunResult> run(ChainedOptionsBuilder options) throws Exception {
		return new Runner(options.build()).run();
	}

	private static double median(Collection<RunResult> results) {
		if (results.isEmpty()) {
			throw new IllegalStateException("the fork gave no result; see its output above");
		}
		return results.iterator().next().getPrimaryResult().getStatistics().getPercentile(50);
	}
}
