/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.nolinger.LingeringSocketsError;
import dev.nolinger.NoLingeringSocketsExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.junit.platform.testkit.engine.Execution;

/**
 * One run of a fixture class through the Jupiter engine, in this JVM. nolinger's grace is cut to
 * {@value #FAST_GRACE} so that failing fixtures fail fast; loopback sockets settle well within it.
 */
final class FixtureRun {

	static final String FAST_GRACE = "200ms";

	private final Class<?> fixture;
	private final EngineExecutionResults results;

	private FixtureRun(Class<?> fixture, EngineExecutionResults results) {
		this.fixture = fixture;
		this.results = results;
	}

	static FixtureRun run(Class<?> fixture) {
		return run(fixture, Map.of());
	}

	/** Runs with the fast grace, overridden or added to by {@code parameters}. */
	static FixtureRun run(Class<?> fixture, Map<String, String> parameters) {
		Map<String, String> configuration = new HashMap<>();
		configuration.put(NoLingeringSocketsExtension.GRACE_KEY, FAST_GRACE);
		configuration.putAll(parameters);
		EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
			.selectors(selectClass(fixture))
			.configurationParameters(configuration)
			.execute();
		List<Throwable> containerFailures = results.containerEvents().executions().failed().stream()
			.flatMap(e -> e.getTerminationInfo().getExecutionResult().getThrowable().stream())
			.toList();
		assertThat(containerFailures).as("container failures of %s", fixture.getSimpleName()).isEmpty();
		return new FixtureRun(fixture, results);
	}

	/** Runs the fixture and returns the one failure of its class container, which every test passed. */
	static Throwable classFailureOf(Class<?> fixture) {
		EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
			.selectors(selectClass(fixture))
			.configurationParameters(Map.of(NoLingeringSocketsExtension.GRACE_KEY, FAST_GRACE))
			.execute();
		assertThat(results.testEvents().failed().count()).as("failed tests of %s", fixture.getSimpleName()).isZero();
		List<Throwable> failures = results.containerEvents().executions().failed().stream()
			.flatMap(e -> e.getTerminationInfo().getExecutionResult().getThrowable().stream())
			.toList();
		assertThat(failures).as("container failures of %s", fixture.getSimpleName()).hasSize(1);
		return failures.get(0);
	}

	/** Runs the fixture and returns its first failed test's error, which must be a {@link LingeringSocketsError}. */
	static LingeringSocketsError lingeringFailureOf(Class<?> fixture) {
		Throwable failure = run(fixture).tests().executions().failed().stream()
			.map(e -> e.getTerminationInfo().getExecutionResult().getThrowable().orElseThrow())
			.findFirst()
			.orElseThrow(() -> new AssertionError(fixture.getSimpleName() + " did not fail"));
		assertThat(failure).isInstanceOf(LingeringSocketsError.class);
		return (LingeringSocketsError) failure;
	}

	/** All test events, for statistics. */
	Events tests() {
		return this.results.testEvents();
	}

	/** The result of the one test method of that name, in the fixture or its nested classes. */
	TestExecutionResult resultOf(String method) {
		List<TestExecutionResult> results = resultsOf(method);
		assertThat(results).as("finished executions of %s() in %s", method, this.fixture.getSimpleName()).hasSize(1);
		return results.get(0);
	}

	/** The results of every invocation of the test method of that name, such as each repetition, in the order they ran. */
	List<TestExecutionResult> resultsOf(String method) {
		return this.results.testEvents().executions().finished()
			.filter(execution -> method.equals(methodName(execution).orElse(null)))
			.map(execution -> execution.getTerminationInfo().getExecutionResult())
			.toList();
	}

	void assertPassed(String... methods) {
		for (String method : methods) {
			TestExecutionResult result = resultOf(method);
			assertThat(result.getThrowable()).as("failure of %s()", method).isEmpty();
			assertThat(result.getStatus()).as("status of %s()", method).isEqualTo(Status.SUCCESSFUL);
		}
	}

	/** The failure of the one test method of that name; fails if it did not fail. */
	Throwable failureOf(String method) {
		TestExecutionResult result = resultOf(method);
		assertThat(result.getStatus()).as("status of %s()", method).isEqualTo(Status.FAILED);
		return result.getThrowable().orElseThrow();
	}

	private static Optional<String> methodName(Execution execution) {
		return execution.getTestDescriptor().getSource()
			.filter(MethodSource.class::isInstance)
			.map(source -> ((MethodSource) source).getMethodName());
	}
}
