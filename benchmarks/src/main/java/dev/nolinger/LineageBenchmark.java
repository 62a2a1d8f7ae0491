/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What a thread's lineage costs its creation: a {@code new Thread} (never started, so the figure
 * is the constructor's, where the lineage is captured) outside any test, where no lineage is
 * inherited, and while a test runs, where the constructor captures one stack, at the stack depth
 * of a shallow caller and of a test deep in a framework. Run:
 * {@code java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)" dev.nolinger.LineageBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LineageBenchmark {

	private static final String TEST = "[engine:junit-jupiter]/[class:p.BenchTests]/[method:run()]";

	/** Frames between the benchmark and the thread's creation, as a test's stack has below its code. */
	@Param({ "10", "100" })
	public int depth;

	/** Whether a test runs on the creating thread, so that the new thread inherits its lineage. */
	@Param({ "false", "true" })
	public boolean duringTest;

	private static final Runnable NOTHING = () -> {
	};

	@Setup(Level.Trial)
	public void start() {
		if (this.duringTest) {
			LedgerLineage.started(TEST);
		}
	}

	@TearDown(Level.Trial)
	public void finish() {
		LedgerLineage.finished(TEST);
	}

	private int created;

	/** One thread created, not started. */
	@Benchmark
	public Thread createThread() {
		if (this.duringTest && ++this.created == LedgerLineage.PER_TEST) {
			// A test's lineages are capped: a new test every so often keeps every creation capturing.
			this.created = 0;
			LedgerLineage.finished(TEST);
			LedgerLineage.started(TEST);
		}
		return create(this.depth);
	}

	private static Thread create(int frames) {
		if (frames > 0) {
			return create(frames - 1);
		}
		return new Thread(NOTHING);
	}

	public static void main(String[] args) throws RunnerException {
		new Runner(new OptionsBuilder().include(LineageBenchmark.class.getSimpleName()).build()).run();
	}
}
