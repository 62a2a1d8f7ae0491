/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs in a child JVM that holds no socket at all, as a Surefire fork does (JMH's forks hold a
 * link to their host, so they cannot show this case): the check of a clean test that touches no
 * socket, and the suite of {@value EngineBenchmark#TESTS} trivial tests, unannotated and
 * annotated, in alternating order. Prints medians, one {@code key value} per line.
 */
public final class SocketFreeJvmMain {

	private SocketFreeJvmMain() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = Integer.parseInt(args[0]);
		Set<TcpState> states = CheckConfiguration.DEFAULT_STATES;
		CheckConfiguration configuration = CheckConfiguration.from(key -> Optional.empty());
		SocketTableSource source = SocketTableSources.select(configuration);
		Check check = new Check(source, SocketTableSources.fds(source));
		List<Double> checks = new ArrayList<>();
		for (int round = 0; round < rounds; round++) {
			long start = System.nanoTime();
			for (int i = 0; i < 1_000; i++) {
				check.findings(check.snapshot(states), states);
			}
			checks.add((System.nanoTime() - start) / 1_000.0 / 1_000.0);
		}
		List<Double> plain = new ArrayList<>();
		List<Double> annotated = new ArrayList<>();
		for (int round = 0; round < rounds + 3; round++) {
			double p = suite(EngineBenchmark.Plain.class);
			double a = suite(EngineBenchmark.Annotated.class);
			if (round >= 3) {
				plain.add(p);
				annotated.add(a);
			}
		}
		System.out.println("source " + source.describe());
		System.out.printf(Locale.ROOT, "check-us %.3f%n", median(checks));
		System.out.printf(Locale.ROOT, "suite-unannotated-ms %.3f%n", median(plain));
		System.out.printf(Locale.ROOT, "suite-annotated-ms %.3f%n", median(annotated));
	}

	private static double suite(Class<?> tests) {
		long start = System.nanoTime();
		EngineTestKit.engine("junit-jupiter")
			.selectors(selectClass(tests))
			.execute()
			.testEvents()
			.assertStatistics(stats -> stats.succeeded(EngineBenchmark.TESTS).failed(0));
		return (System.nanoTime() - start) / 1e6;
	}

	static double median(List<Double> values) {
		List<Double> sorted = values.stream().sorted().toList();
		int n = sorted.size();
		return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}
}
