/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.ptr.IntByReference;
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

/**
 * Would JNA pay on Java 17 to 21, where it is already on a test classpath? One
 * {@code getsockopt(TCP_INFO)} through JNA's direct mapping, against what those Javas do now per
 * check where they read: the whole {@code /proc} table, and a {@code readlink} scan of
 * {@code /proc/self/fd}. Run with {@code -jvm} a Java 17.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xmx512m" })
public class JnaBenchmark {

	private static final int AF_INET = 2;
	private static final int SOCK_STREAM = 1;
	private static final int IPPROTO_TCP = 6;
	private static final int TCP_INFO = 11;

	/** JNA direct mapping: the cheapest way JNA calls C. */
	public static final class Libc {

		static {
			Native.register(NativeLibrary.getInstance("c"));
		}

		public static native int socket(int domain, int type, int protocol);

		public static native int getsockopt(int fd, int level, int name, Memory value, IntByReference length);

		public static native int close(int fd);
	}

	private int fd;
	private final Memory info = new Memory(256);
	private final IntByReference length = new IntByReference();
	private final SocketTableProcSource proc = new SocketTableProcSource(Path.of("/proc/net"));
	private final OwnershipProcSelfFd fds = new OwnershipProcSelfFd(Path.of("/proc/self/fd"));

	@Setup(Level.Trial)
	public void open() {
		this.fd = Libc.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
		if (this.fd < 0) {
			throw new IllegalStateException("socket() failed");
		}
	}

	@TearDown(Level.Trial)
	public void close() {
		Libc.close(this.fd);
	}

	/** The state of one held socket: first byte, tcpi_state. */
	@Benchmark
	public int jnaTcpInfo() {
		this.length.setValue(256);
		if (Libc.getsockopt(this.fd, IPPROTO_TCP, TCP_INFO, this.info, this.length) != 0) {
			throw new IllegalStateException("getsockopt failed");
		}
		return this.info.getByte(0);
	}

	/** What a check on Java 17 reads where it cannot skip: the whole table. */
	@Benchmark
	public SocketTable procTable() throws SocketTableException {
		return this.proc.read(Check.observedStates(CheckConfiguration.DEFAULT_STATES));
	}

	/** What every check on Java 17 scans: this JVM's fds, one readlink each. */
	@Benchmark
	public Object procSelfFd() throws SocketTableException {
		return this.fds.socketFds();
	}
}
