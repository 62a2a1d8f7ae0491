/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Guarding a whole suite: autodetection or a base class, defaults from configuration, opt-outs. */
class GlobalRegistrationTests {

	@AfterEach
	void closeLeaks() {
		LoopbackConnections.closeAll();
	}

	@Test
	void autodetectionChecksUnannotatedTestsWithConfiguredDefaults() {
		Events events = EngineTestKit.engine("junit-jupiter")
			.configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
			.configurationParameter("nolinger.grace", "100ms")
			.configurationParameter("nolinger.tolerance", "1")
			.selectors(selectClass(UnannotatedTestCases.class))
			.execute()
			.testEvents();

		events.assertThatEvents()
			.haveExactly(1, event(test("leaks"), finishedWithFailure(instanceOf(LingeringSocketsError.class),
					message(m -> m.startsWith("2 sockets lingering after UnannotatedTestCases.leaks() (tolerance 1):")))))
			.haveExactly(1, event(test("optedOut"), finishedSuccessfully()))
			.haveExactly(1, event(test("stricterStates"), finishedWithFailure(
					message(m -> m.startsWith("2 sockets lingering after UnannotatedTestCases.stricterStates() (tolerance 1)")
							&& m.contains("LISTEN")))));
	}

	@Test
	void withoutAutodetectionOnlyAnnotatedTestsAreChecked() {
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "100ms")
			.selectors(selectClass(UnannotatedTestCases.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, event(test("leaks"), finishedSuccessfully()))
			.haveExactly(1, event(test("optedOut"), finishedSuccessfully()))
			.haveExactly(1, event(test("stricterStates"), finishedWithFailure(instanceOf(LingeringSocketsError.class))));
	}

	@Test
	void extendWithOnABaseClassChecksSubclassesAndClassLevelOptOutWins() {
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "100ms")
			.selectors(selectClass(SubclassTestCases.class), selectClass(OptedOutSubclassTestCases.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, event(test("SubclassTestCases"), finishedWithFailure(instanceOf(LingeringSocketsError.class))))
			.haveExactly(1, event(test("OptedOutSubclassTestCases"), finishedSuccessfully()));
	}

	@Test
	void findingsArePublishedAsReportEntries() {
		Events events = EngineTestKit.engine("junit-jupiter")
			.configurationParameter("nolinger.grace", "100ms")
			.selectors(selectClass(SubclassTestCases.class))
			.execute()
			.allEvents();

		assertThat(events.reportingEntryPublished().stream())
			.singleElement()
			.satisfies(event -> {
				Map<String, String> entry = event.getRequiredPayload(ReportEntry.class).getKeyValuePairs();
				assertThat(entry).containsEntry("nolinger.lingering", "2").containsKeys("nolinger.socket.1", "nolinger.socket.2");
				assertThat(entry.get("nolinger.socket.1") + entry.get("nolinger.socket.2")).contains("FIN_WAIT2 client end")
					.contains("CLOSE_WAIT server end")
					.contains("rule 1: inode");
			});
	}

	static class UnannotatedTestCases {

		@Test
		void leaks() {
			LoopbackConnections.serverNeverCloses();
		}

		@Test
		@NoLingeringSockets(enabled = false)
		void optedOut() {
			LoopbackConnections.serverNeverCloses();
		}

		@Test
		@NoLingeringSockets(states = TcpState.LISTEN)
		void stricterStates() {
			LoopbackConnections.connect();
			LoopbackConnections.connect();
		}
	}

	@ExtendWith(NoLingeringSocketsExtension.class)
	abstract static class CheckedBase {
	}

	static class SubclassTestCases extends CheckedBase {

		@Test
		void leaks() {
			LoopbackConnections.serverNeverCloses();
		}
	}

	@NoLingeringSockets(enabled = false)
	static class OptedOutSubclassTestCases extends CheckedBase {

		@Test
		void leaks() {
			LoopbackConnections.serverNeverCloses();
		}
	}
}
