/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
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

/**
 * The {@code /proc} source against the kernel's floor, read back to back in one invocation, in
 * alternating order: on a shared, noisy machine the table and the load change between separate
 * benchmarks, so only an interleaved pair gives a ratio that means something.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xmx1g" })
public class ProcVersusFloorBenchmark {

	@Param({ "0", "1000", "10000", "30000" })
	public int sockets;

	private LoopbackTable table;
	private final ByteBuffer floorBuffer = ByteBuffer.allocateDirect(256 * 1024);
	private final SocketTableProcSource proc = new SocketTableProcSource(Path.of("/proc/net"));
	private final Set<TcpState> observed = Check.observedStates(CheckConfiguration.DEFAULT_STATES);
	private boolean floorFirst;

	/** Nanoseconds spent in each, summed over an iteration. */
	@State(Scope.Thread)
	@AuxCounters(AuxCounters.Type.EVENTS)
	public static class Split {

		public long floorNanos;
		public long procNanos;

		@Setup(Level.Iteration)
		public void reset() {
			this.floorNanos = 0;
			this.procNanos = 0;
		}
	}

	@Setup(Level.Trial)
	public void fill() {
		this.table = LoopbackTable.fill(this.sockets);
	}

	@TearDown(Level.Trial)
	public void empty() {
		this.table.close();
	}

	@Benchmark
	public int floorThenProcOrBack(Split split) throws Exception {
		this.floorFirst = !this.floorFirst;
		int result;
		if (this.floorFirst) {
			long start = System.nanoTime();
			result = (int) floor();
			long middle = System.nanoTime();
			result += this.proc.read(this.observed).sockets().size();
			split.floorNanos += middle - start;
			split.procNanos += System.nanoTime() - middle;
		}
		else {
			long start = System.nanoTime();
			result = this.proc.read(this.observed).sockets().size();
			long middle = System.nanoTime();
			result += (int) floor();
			split.procNanos += middle - start;
			split.floorNanos += System.nanoTime() - middle;
		}
		return result;
	}

	private long floor() throws IOException {
		return readAll(Path.of("/proc/net/tcp")) + readAll(Path.of("/proc/net/tcp6"));
	}

	private long readAll(Path file) throws IOException {
		long total = 0;
		try (FileChannel channel = FileChannel.open(file)) {
			while (true) {
				this.floorBuffer.clear();
				int n = channel.read(this.floorBuffer);
				if (n < 0) {
					return total;
				}
				total += n;
			}
		}
	}
}
