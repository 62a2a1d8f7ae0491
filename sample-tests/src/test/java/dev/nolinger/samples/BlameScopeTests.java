/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.samples.LingeringFailures.assertLingering;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import dev.nolinger.LingeringSocketsError;
import dev.nolinger.NoLingeringSockets;
import dev.nolinger.NoLingeringSocketsExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Which tests a leak fails: only the one that caused it, under whichever annotation is nearest
 * to that test.
 */
class BlameScopeTests {

	@AfterEach
	void closeLeaks() throws IOException {
		Leaks.closeAll();
	}

	@Test
	void onlyTheLeakingMethodOfAnAnnotatedClassFails() {
		FixtureRun run = FixtureRun.run(ClassAnnotationTestCases.class);

		run.tests().assertStatistics(stats -> stats.started(3).succeeded(2).failed(1));
		run.assertPassed("echoesBeforeTheLeak", "echoesAfterTheLeak");
		assertLingering(run.failureOf("leaks"), "ClassAnnotationTestCases.leaks()", 0,
				Leaks.takeOnly().expectedRows());
	}

	@Test
	void leakOfAnUnannotatedTestIsNotBlamedOnTheNextAnnotatedTest() throws IOException {
		FixtureRun run = FixtureRun.run(UnannotatedLeakTestCases.class);

		run.assertPassed("leaksUnchecked", "echoesAfterTheLeak");
		assertThat(Leaks.takeOnly().isLingering()).as("the leak lingers on").isTrue();
	}

	@Test
	void socketsLingeringBeforeTheTestDoNotCount() throws IOException {
		FixtureRun run = FixtureRun.run(LingeringSinceBeforeAllTestCases.class,
				Map.of(NoLingeringSocketsExtension.CLASSES_KEY, "false"));

		run.assertPassed("echoes");
		assertThat(Leaks.takeOnly().isLingering()).as("the leak lingers on").isTrue();
	}

	@Test
	void aLeakOfBeforeAllFailsItsClass() {
		Throwable failure = FixtureRun.classFailureOf(LingeringSinceBeforeAllTestCases.class);

		LingeringFailures.assertLingering(failure, "class BlameScopeTests.LingeringSinceBeforeAllTestCases", 0,
				Leaks.takeOnly().expectedRows());
	}

	@Test
	void methodAnnotationOverridesClassAnnotation() {
		FixtureRun run = FixtureRun.run(MethodOverridesClassTestCases.class);
		Map<LeakShape, LeakedConnection> leaks = Leaks.takeByShape();

		run.assertPassed("leaksWithinTheClassTolerance");
		assertLingering(run.failureOf("leaksUnderItsOwnAnnotation"),
				"MethodOverridesClassTestCases.leaksUnderItsOwnAnnotation()", 0,
				leaks.get(LeakShape.SERVER_NEVER_CLOSES).expectedRows());
		assertThat(leaks).containsKey(LeakShape.CLIENT_NEVER_CLOSES);
	}

	@Test
	void composedAnnotationsCarryTheCheckAndItsAttributes() {
		FixtureRun run = FixtureRun.run(ComposedAnnotationTestCases.class);
		Map<LeakShape, LeakedConnection> leaks = Leaks.takeByShape();

		run.assertPassed("leaksWithinTolerance");
		assertLingering(run.failureOf("leaks"), "ComposedAnnotationTestCases.leaks()", 0,
				leaks.get(LeakShape.SERVER_NEVER_CLOSES).expectedRows());
		assertThat(leaks).containsKey(LeakShape.CLIENT_NEVER_CLOSES);
	}

	@Test
	void nestedClassesAreCheckedUnderTheNearestAnnotation() {
		FixtureRun run = FixtureRun.run(NestedTestCases.class);
		Map<LeakShape, LeakedConnection> leaks = Leaks.takeByShape();

		run.assertPassed("leaksWithinTheInnerTolerance");
		assertLingering(run.failureOf("leaks"), "Inner.leaks()", 0,
				leaks.get(LeakShape.SERVER_NEVER_CLOSES).expectedRows());
		assertThat(leaks).containsKey(LeakShape.CLIENT_NEVER_CLOSES);
	}

	@Test
	void testThatFailsOnItsOwnKeepsItsFailureFirst() {
		FixtureRun run = FixtureRun.run(FailingTestCases.class);
		Throwable failure = run.failureOf("failsAndLeaks");

		assertThat(failure).isNotInstanceOf(LingeringSocketsError.class).hasMessage("the test's own failure");
		assertThat(failure.getSuppressed()).hasSize(1);
		assertLingering(failure.getSuppressed()[0], "FailingTestCases.failsAndLeaks()", 0,
				Leaks.takeOnly().expectedRows());
	}

	@NoLingeringSockets
	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class ClassAnnotationTestCases {

		@Test
		@Order(1)
		void echoesBeforeTheLeak() throws IOException {
			Traffic.echoOverFreshConnections(Loopback.IPV4, 3);
		}

		@Test
		@Order(2)
		void leaks() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}

		@Test
		@Order(3)
		void echoesAfterTheLeak() throws IOException {
			Traffic.echoOverFreshConnections(Loopback.IPV4, 3);
		}
	}

	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class UnannotatedLeakTestCases {

		/** The leak lingers when the next test starts; for one still closing then, see ClosingInProgressTests. */
		@Test
		@Order(1)
		void leaksUnchecked() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}

		@Test
		@Order(2)
		@NoLingeringSockets
		void echoesAfterTheLeak() throws IOException {
			Traffic.echoOverFreshConnections(Loopback.IPV4, 3);
		}
	}

	@NoLingeringSockets
	static class LingeringSinceBeforeAllTestCases {

		@BeforeAll
		static void leak() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}

		@Test
		void echoes() throws IOException {
			Traffic.echoOverFreshConnections(Loopback.IPV4, 3);
		}
	}

	@NoLingeringSockets(tolerance = 2)
	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class MethodOverridesClassTestCases {

		@Test
		@Order(1)
		void leaksWithinTheClassTolerance() throws IOException {
			Leaks.leak(LeakShape.CLIENT_NEVER_CLOSES, Loopback.IPV4);
		}

		@Test
		@Order(2)
		@NoLingeringSockets
		void leaksUnderItsOwnAnnotation() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}
	}

	/** A test that must not leak sockets, as a project would define it once. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Test
	@NoLingeringSockets
	@interface SocketTest {
	}

	/** A test that may leave one half-closed loopback connection, whose two ends count one each. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Test
	@NoLingeringSockets(tolerance = 2)
	@interface LenientSocketTest {
	}

	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class ComposedAnnotationTestCases {

		@LenientSocketTest
		@Order(1)
		void leaksWithinTolerance() throws IOException {
			Leaks.leak(LeakShape.CLIENT_NEVER_CLOSES, Loopback.IPV4);
		}

		@SocketTest
		@Order(2)
		void leaks() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
		}
	}

	@NoLingeringSockets
	@TestClassOrder(ClassOrderer.OrderAnnotation.class)
	static class NestedTestCases {

		@Nested
		@Order(1)
		@NoLingeringSockets(tolerance = 2)
		class LenientInner {

			@Test
			void leaksWithinTheInnerTolerance() throws IOException {
				Leaks.leak(LeakShape.CLIENT_NEVER_CLOSES, Loopback.IPV4);
			}
		}

		@Nested
		@Order(2)
		class Inner {

			@Test
			void leaks() throws IOException {
				Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
			}
		}
	}

	@NoLingeringSockets
	static class FailingTestCases {

		@Test
		void failsAndLeaks() throws IOException {
			Leaks.leak(LeakShape.SERVER_NEVER_CLOSES, Loopback.IPV4);
			fail("the test's own failure");
		}
	}
}
