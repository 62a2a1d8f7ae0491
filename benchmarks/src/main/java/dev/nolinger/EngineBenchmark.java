/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.platform.testkit.engine.EngineTestKit;
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
 * A suite of {@value #TESTS} trivial tests run through the Jupiter engine, as a build runs them:
 * unannotated, or under {@code @NoLingeringSockets} reading {@code /proc} or netlink. The
 * difference per test is what the check costs a clean test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 7)
@Fork(value = 1, jvmArgsAppend = { "--enable-native-access=ALL-UNNAMED", "-Xmx1g" })
public class EngineBenchmark {

	static final int TESTS = 300;

	@Param({ "0" })
	public int sockets;

	@Param({ "unannotated", "proc", "netlink" })
	public String variant;

	private LoopbackTable table;

	@Setup(Level.Trial)
	public void fill() {
		this.table = LoopbackTable.fill(this.sockets);
	}

	@TearDown(Level.Trial)
	public void empty() {
		this.table.close();
	}

	@Benchmark
	public long suite() {
		Class<?> tests = this.variant.equals("unannotated") ? Plain.class : Annotated.class;
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.source", this.variant.equals("unannotated") ? "auto" : this.variant)
			.selectors(selectClass(tests))
			.execute()
			.testEvents()
			.assertStatistics(stats -> stats.succeeded(TESTS).failed(0));
		return TESTS;
	}

	/** The suite without the check. */
	public static class Plain {

		@RepeatedTest(TESTS)
		void trivial() {
		}
	}

	/** The same suite, checked. */
	@NoLingeringSockets
	public static class Annotated {

		@RepeatedTest(TESTS)
		void trivial() {
		}
	}
}
