/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Class fixtures that leave sockets lingering fail their class container, on real loopback sockets. */
class ClassLevelTests {

	static LoopbackConnections.Pair leak;

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
		leak = null;
	}

	@Test
	void aBeforeAllLeakFailsTheClassNotItsTests() {
		Events events = run(BeforeAllLeakTestCases.class, "true");

		events.assertThatEvents()
			.haveExactly(1, event(test("clean"), finishedSuccessfully()))
			.haveExactly(1, event(container(BeforeAllLeakTestCases.class), finishedWithFailure(
					instanceOf(LingeringSocketsError.class),
					message(m -> m.startsWith("2 sockets lingering after class ClassLevelTests.BeforeAllLeakTestCases (tolerance 0):\n")
							&& m.contains("  CLOSE_WAIT  server end  127.0.0.1:" + leak.serverPort() + " -> 127.0.0.1:"
									+ leak.clientPort() + "  rule 1: inode ")
							&& m.contains("  FIN_WAIT2   client end  127.0.0.1:" + leak.clientPort() + " -> 127.0.0.1:"
									+ leak.serverPort() + "  rule 2: mirror of this JVM's CLOSE_WAIT socket")
							&& m.contains("\n  still CLOSE_WAIT after 100 ms of grace: ")))));
	}

	@Test
	void theKeyTurnsClassChecksOff() {
		run(BeforeAllLeakTestCases.class, "false").assertThatEvents()
			.haveExactly(1, event(container(BeforeAllLeakTestCases.class), finishedSuccessfully()))
			.doNotHave(event(finishedWithFailure()));
	}

	@Test
	void aLeakAlreadyBlamedOnItsTestDoesNotFailTheClassAgain() {
		run(TestLeakTestCases.class, "true").assertThatEvents()
			.haveExactly(1, event(test("leaks"), finishedWithFailure(instanceOf(LingeringSocketsError.class))))
			.haveExactly(1, event(container(TestLeakTestCases.class), finishedSuccessfully()));
	}

	@Test
	void aNestedClassIsJudgedOnItsOwnAndItsOuterClassDoesNotRepeatIt() {
		run(OuterTestCases.class, "true").assertThatEvents()
			.haveExactly(1, event(test("clean()"), finishedSuccessfully()))
			.haveExactly(1, event(test("cleanToo()"), finishedSuccessfully()))
			.haveExactly(1, event(container("Inner"), finishedWithFailure(message(
					m -> m.startsWith("2 sockets lingering after class ClassLevelTests.OuterTestCases.Inner (tolerance 0):\n")))))
			.as("the outer class ends after the nested one and does not fail for its sockets again")
			.haveExactly(1, event(container(), finishedWithFailure()));
	}

	@Test
	void aPerClassInstanceFixtureThatForgetsToCloseFailsItsClass() {
		run(PerClassTestCases.class, "true").assertThatEvents()
			.haveExactly(2, event(test(), finishedSuccessfully()))
			.haveExactly(1, event(container(PerClassTestCases.class), finishedWithFailure(message(
					m -> m.startsWith("2 sockets lingering after class ClassLevelTests.PerClassTestCases (tolerance 0):\n")
							// The listener is closed by then, so neither end can be named.
							&& m.contains("  CLOSE_WAIT  unknown end  127.0.0.1:" + leak.serverPort() + " -> 127.0.0.1:"
									+ leak.clientPort() + "  rule 1: inode ")))));
	}

	@Test
	void aFixtureThatClosesInAfterAllPasses() {
		run(CleanFixtureTestCases.class, "true").assertThatEvents().doNotHave(event(finishedWithFailure()));
	}

	private static Events run(Class<?> fixture, String classes) {
		return EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "100ms")
			.configurationParameter(NoLingeringSocketsExtension.CLASSES_KEY, classes)
			.selectors(selectClass(fixture))
			.execute()
			.allEvents();
	}

	@NoLingeringSockets
	static class BeforeAllLeakTestCases {

		@BeforeAll
		static void openClient() {
			// A client opened for the class, whose server end is never closed.
			leak = LoopbackConnections.serverNeverCloses();
		}

		@Test
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}
	}

	@NoLingeringSockets
	static class TestLeakTestCases {

		@Test
		void leaks() {
			leak = LoopbackConnections.serverNeverCloses();
		}
	}

	@NoLingeringSockets
	static class OuterTestCases {

		@Test
		void clean() {
			LoopbackConnections.cleanlyClosed();
		}

		@Nested
		class Inner {

			@BeforeAll
			static void openClient() {
				leak = LoopbackConnections.serverNeverCloses();
			}

			@Test
			void cleanToo() {
				LoopbackConnections.cleanlyClosed();
			}
		}
	}

	@NoLingeringSockets
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	static class PerClassTestCases {

		private LoopbackConnections.Pair server;

		@BeforeAll
		void startServer() {
			this.server = LoopbackConnections.connect();
			leak = this.server;
		}

		@Test
		void one() {
			LoopbackConnections.cleanlyClosed();
		}

		@Test
		void two() {
			LoopbackConnections.cleanlyClosed();
		}

		@AfterAll
		void stopServer() {
			// Stops the listener and the client, but not the connection it accepted.
			LoopbackConnections.close(this.server.client());
			LoopbackConnections.close(this.server.server());
		}
	}

	@NoLingeringSockets
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	static class CleanFixtureTestCases {

		private LoopbackConnections.Pair server;

		@BeforeAll
		void startServer() {
			this.server = LoopbackConnections.connect();
		}

		@Test
		void one() {
			LoopbackConnections.cleanlyClosed();
		}

		@AfterAll
		void stopServer() {
			LoopbackConnections.close(this.server.client());
			LoopbackConnections.close(this.server.accepted());
			LoopbackConnections.close(this.server.server());
		}
	}
}
