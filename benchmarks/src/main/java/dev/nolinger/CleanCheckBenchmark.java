/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
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
 * The whole check of a clean test (snapshot before, findings after) while this JVM holds
 * {@code connections} live loopback connections (both ends, their listener closed), with
 * {@code sockets} other sockets in the table, Java 22+ with native access: {@code fast} as the
 * extension runs it (each held socket by fd and exact lookups), {@code always} reading the whole
 * table each time ({@code nolinger.read.always}). A JMH fork also holds its link to the JMH
 * host, an established loopback connection: so {@code connections = 0} is a JVM holding one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(value = 1, jvmArgsAppend = { "--enable-native-access=ALL-UNNAMED", "-Xmx1g" })
public class CleanCheckBenchmark {

	@Param({ "0", "30000" })
	public int sockets;

	@Param({ "0", "10" })
	public int connections;

	@Param({ "fast", "always" })
	public String path;

	private LoopbackTable table;

	private final List<Socket> held = new ArrayList<>();

	private Check check;

	private final Set<TcpState> checked = CheckConfiguration.DEFAULT_STATES;

	@Setup(Level.Trial)
	public void open() throws Exception {
		this.table = LoopbackTable.fill(this.sockets);
		try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			for (int i = 0; i < this.connections; i++) {
				Socket client = new Socket();
				client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 5_000);
				this.held.add(client);
				this.held.add(listener.accept());
			}
		}
		SocketTableSource netlink = SocketTableSources.netlink();
		this.check = new Check(netlink, SocketTableSources.fds(netlink), CheckSocketActivity.UNTRACED,
				this.path.equals("always"));
	}

	@TearDown(Level.Trial)
	public void close() {
		for (Socket socket : this.held) {
			try {
				socket.close();
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
		this.table.close();
	}

	@Benchmark
	public List<Finding> cleanTest() throws SocketTableException {
		return this.check.findings(this.check.snapshot(this.checked), this.checked);
	}
}
