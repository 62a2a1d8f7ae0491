/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The exact text users see, built from findings on captured tables. */
class MessagesTests {

	@Test
	void listsEachSocketWithRoleRuleAndOtherEndThenOneHintPerState() throws Exception {
		SocketTable table = CapturedTables.table("loopback-states");
		TcpSocket closeWait = CapturedTables.find(table, TcpState.CLOSE_WAIT, 54309, 37106);
		TcpSocket finWait2 = CapturedTables.find(table, TcpState.FIN_WAIT2, 37106, 54309);
		TcpSocket halfClosed = CapturedTables.find(table, TcpState.FIN_WAIT2, 46192, 59687);
		TcpSocket listener = CapturedTables.find(table, TcpState.LISTEN, 54309, 0);
		List<Finding> findings = List.of(
				new Finding(finWait2, new Ownership(OwnershipRule.MIRROR, closeWait), Finding.Role.CLIENT, closeWait),
				new Finding(halfClosed, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.UNKNOWN, null),
				new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, finWait2),
				new Finding(closeWait, new Ownership(OwnershipRule.LISTENER, listener), Finding.Role.SERVER, null),
				new Finding(closeWait, new Ownership(OwnershipRule.SEEN_BEFORE, null), Finding.Role.SERVER, null));

		String message = Messages.lingering("LeakyTests.leaks()", 1, Duration.ofSeconds(1), findings);

		assertThat(message).isEqualTo("""
				5 sockets lingering after LeakyTests.leaks() (tolerance 1):
				  FIN_WAIT2   client end   127.0.0.1:37106 -> 127.0.0.1:54309  rule 2: mirror of this JVM's CLOSE_WAIT socket             other end: CLOSE_WAIT, this JVM's
				  CLOSE_WAIT  server end   127.0.0.1:54309 -> 127.0.0.1:37106  rule 1: inode 3027 is an open fd of this JVM               other end: FIN_WAIT2, this JVM's
				  CLOSE_WAIT  server end   127.0.0.1:54309 -> 127.0.0.1:37106  rule 3: local port is this JVM's listener 127.0.0.1:54309
				  CLOSE_WAIT  server end   127.0.0.1:54309 -> 127.0.0.1:37106  rule 4: 4-tuple seen owned by this JVM earlier
				  FIN_WAIT2   unknown end  [::1]:46192 -> [::1]:59687          rule 1: inode 3044 is an open fd of this JVM
				Hints:
				  still FIN_WAIT2 after 1 s of grace: this JVM closed (or called shutdownOutput()), and the peer has not closed its end.
				  still CLOSE_WAIT after 1 s of grace: the peer closed, and this JVM has not called close() on its end.
				  A socket that closes later than that was closed late, not leaked: raise nolinger.grace (now 1 s), or close the fixture that holds it before the test ends.""");
	}

	@Test
	void singleSocketIsSingular() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309,
				37106);

		assertThat(Messages.lingering("T.t()", 0, Duration.ofMillis(1500),
				List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null))))
			.isEqualTo("""
					1 socket lingering after T.t() (tolerance 0):
					  CLOSE_WAIT  server end  127.0.0.1:54309 -> 127.0.0.1:37106  rule 1: inode 3027 is an open fd of this JVM
					Hints:
					  still CLOSE_WAIT after 1500 ms of grace: the peer closed, and this JVM has not called close() on its end.
					  A socket that closes later than that was closed late, not leaked: raise nolinger.grace (now 1500 ms), or close the fixture that holds it before the test ends.""");
	}

	@Test
	void notesSocketsTheBaselineAllows() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309,
				37106);

		assertThat(Messages.lingering("T.t()", 0, Duration.ofMillis(1500),
				List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null)), 1,
				"nolinger-baseline.tsv"))
			.endsWith("""
					  A socket that closes later than that was closed late, not leaked: raise nolinger.grace (now 1500 ms), or close the fixture that holds it before the test ends.
					Not counted: 1 more socket that the baseline nolinger-baseline.tsv allows this test.""");
	}

	@Test
	void withoutGraceTheMessageSaysItLookedRightAfterTheTest() throws Exception {
		TcpSocket closeWait = CapturedTables.find(CapturedTables.table("loopback-states"), TcpState.CLOSE_WAIT, 54309,
				37106);

		assertThat(Messages.lingering("T.t()", 0, Duration.ZERO,
				List.of(new Finding(closeWait, new Ownership(OwnershipRule.OPEN_FD, null), Finding.Role.SERVER, null))))
			.contains("\n  still CLOSE_WAIT right after the test (no grace): the peer closed,")
			.endsWith("raise nolinger.grace (now 0 s), or close the fixture that holds it before the test ends.");
		assertThat(Messages.duration(Duration.ofMinutes(2))).isEqualTo("2 min");
		assertThat(Messages.duration(Duration.ofMillis(250))).isEqualTo("250 ms");
	}

	@Test
	void everyStateHasAHint() {
		assertThat(Set.of(TcpState.values())).allSatisfy(state -> assertThat(Messages.hint(state)).isNotBlank());
	}
}
