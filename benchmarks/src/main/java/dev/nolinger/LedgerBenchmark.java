/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What the ledger costs one socket, without the socket: the record of its open and of its close,
 * each with its stack captured, at the stack depth of a shallow caller and of a test deep in a
 * framework; against the two stack captures alone, as a {@code Throwable} (what the ledger keeps)
 * and as a {@code StackWalker} walk of at most 64 frames (the alternative, which measured no
 * cheaper). Run: {@code java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)"
 * dev.nolinger.LedgerBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LedgerBenchmark {

	/** Frames between the benchmark and the ledger, as a test's stack has below its socket code. */
	@Param({ "10", "100" })
	public int depth;

	private Ledger ledger;
	private InetSocketAddress local;
	private InetSocketAddress remote;

	@Setup
	public void ledger() {
		this.ledger = new Ledger(Ledger.CAPACITY, Duration.ofSeconds(70), System::nanoTime);
		this.local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40_000);
		this.remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
	}

	/** One socket opened and closed: two records of an event, two stacks. */
	@Benchmark
	public int openAndClose() {
		return deep(this.depth);
	}

	/** The floor: the two stack captures alone, at the same depth. */
	@Benchmark
	public int twoStacksOnly() {
		return stacks(this.depth);
	}

	private static final StackWalker WALKER = StackWalker.getInstance();

	/** Two walks of at most 64 frames each, kept as frames. */
	@Benchmark
	public int twoWalksOf64() {
		return walks(this.depth);
	}

	private int walks(int frames) {
		if (frames > 0) {
			return walks(frames - 1);
		}
		return WALKER.walk(s -> s.limit(64).toArray(StackWalker.StackFrame[]::new)).length
				+ WALKER.walk(s -> s.limit(64).toArray(StackWalker.StackFrame[]::new)).length;
	}

	private int stacks(int frames) {
		if (frames > 0) {
			return stacks(frames - 1);
		}
		return System.identityHashCode(new LedgerSocket.Trace()) ^ System.identityHashCode(new LedgerSocket.Trace());
	}

	private int deep(int frames) {
		if (frames > 0) {
			return deep(frames - 1);
		}
		Object socket = new Object();
		this.ledger.opened(socket, LedgerSocket.Kind.CONNECTED, this.local, this.remote);
		this.ledger.closed(socket);
		return this.ledger.size();
	}

	public static void main(String[] args) throws RunnerException {
		new Runner(new OptionsBuilder().include(LedgerBenchmark.class.getSimpleName()).build()).run();
	}
}
