/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
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

/**
 * One observation of the table through netlink, with {@code sockets} established loopback sockets
 * added to it, and the check a clean test pays on either source (a snapshot read before, a read
 * after). {@link ProcVersusFloorBenchmark} measures the {@code /proc} source against the floor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(value = 1, jvmArgsAppend = { "--enable-native-access=ALL-UNNAMED", "-Xmx1g" })
public class SnapshotBenchmark {

	@Param({ "0", "1000", "10000", "30000" })
	public int sockets;

	private LoopbackTable table;
	private SocketTableProcSource proc;
	private SocketTableSource netlink;
	private Check procCheck;
	private Check netlinkCheck;
	private final Set<TcpState> checked = CheckConfiguration.DEFAULT_STATES;
	private final Set<TcpState> observed = Check.observedStates(CheckConfiguration.DEFAULT_STATES);

	@Setup(Level.Trial)
	public void fill() throws Exception {
		this.table = LoopbackTable.fill(this.sockets);
		this.proc = new SocketTableProcSource(Path.of("/proc/net"));
		// Both read the whole table at every check, as nolinger.read.always=true does; CleanCheckBenchmark measures the rest.
		this.procCheck = new Check(this.proc, new OwnershipProcSelfFd(Path.of("/proc/self/fd")),
				CheckSocketActivity.UNTRACED, true);
		try {
			this.netlink = SocketTableSources.netlink();
			this.netlinkCheck = new Check(this.netlink, new OwnershipProcSelfFd(Path.of("/proc/self/fd")),
					CheckSocketActivity.UNTRACED, true);
		}
		catch (SocketTableException e) {
			// Java 17 to 21: the netlink benchmarks report the reason instead
			this.netlink = null;
		}
		int listed = this.proc.read().sockets().size();
		System.out.printf("%n[table] %d sockets added; the table now lists %d%n", this.sockets, listed);
		String log = System.getenv(PerformanceReport.TABLE_LOG_ENV);
		if (log != null) {
			Files.writeString(Path.of(log), this.sockets + " " + listed + "\n", StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
	}

	@TearDown(Level.Trial)
	public void empty() {
		this.table.close();
	}

	/** What a snapshot reads through netlink. */
	@Benchmark
	public SocketTable netlinkSnapshot() throws SocketTableException {
		return netlink().read(this.observed);
	}

	/** What the check after a clean test reads through netlink: the checked states only. */
	@Benchmark
	public SocketTable netlinkCheckedStates() throws SocketTableException {
		return netlink().read(this.checked);
	}

	/** The whole check of one clean test through /proc: snapshot before, findings after. */
	@Benchmark
	public List<Finding> procPerTest() throws SocketTableException {
		return this.procCheck.findings(this.procCheck.snapshot(this.checked), this.checked);
	}

	/** The whole check of one clean test through netlink. */
	@Benchmark
	public List<Finding> netlinkPerTest() throws SocketTableException {
		netlink();
		return this.netlinkCheck.findings(this.netlinkCheck.snapshot(this.checked), this.checked);
	}

	private SocketTableSource netlink() {
		if (this.netlink == null) {
			throw new IllegalStateException("no netlink source on Java " + Runtime.version().feature());
		}
		return this.netlink;
	}
}
