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
import java.util.Collection;
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
 * runs both forks and prints the medians and their ratio.
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

	public static void main(String[] args) throws Exception {
		String jar = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
			.filter(entry -> new File(entry).getName().matches("nolinger-junit-[^/]*\\.jar"))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no nolinger-junit jar on the classpath"));
		boolean quick = args.length > 0 && args[0].equals("--quick");
		double untraced = median(run(options(quick)));
		double traced = median(run(options(quick).jvmArgsAppend("-javaagent:" + jar)));
		System.out.printf("%nconnect+accept+close, median: untraced %.1f us, traced %.1f us, ratio %.2f%n", untraced,
				traced, traced / untraced);
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
