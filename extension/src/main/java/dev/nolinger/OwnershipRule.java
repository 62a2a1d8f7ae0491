/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

/**
 * Why a socket in the table counts as this JVM's: the attribution rules, tried in this order
 * (except that rule 5 goes before rule 4, which every finding also meets from its second read
 * on, and says less). A socket in the table after a test is this JVM's when:
 * <ol>
 * <li>its inode is one of this process's socket fds ({@link #OPEN_FD});</li>
 * <li>it has inode 0 and is the mirror (the reversed 4-tuple) of a socket that rule 1 or 3 proves
 * ours ({@link #MIRROR});</li>
 * <li>it has inode 0 and its local address and port are one on which this JVM listens, or
 * listened during the test: a listener of this JVM's in the table read, or in the snapshot taken
 * before the test ({@link #LISTENER});</li>
 * <li>its 4-tuple was seen owned by this JVM at an earlier observation ({@link #SEEN_BEFORE});</li>
 * <li>with the agent only: it has inode 0, and the socket ledger saw this JVM close a socket with
 * this 4-tuple while the test ran ({@link #CLOSED_DURING_TEST}).</li>
 * </ol>
 * Everything else never counts. A socket counts against a test when it is this JVM's, in a
 * checked state after the test, and was not in that state with that 4-tuple before.
 * {@link OwnershipAttribution} applies the rules; {@link OwnershipOrphans} holds rules 2 and 3,
 * which the diagnostic command applies to every process.
 */
enum OwnershipRule {

	/** Its inode is one of this process's socket fds. */
	OPEN_FD(1),

	/** It has inode 0 and is the mirror of a socket that rule 1 or 3 proves ours. */
	MIRROR(2),

	/** It has inode 0 and its local address and port are one of this JVM's listeners. */
	LISTENER(3),

	/** Its 4-tuple was seen owned by this JVM at an earlier observation. */
	SEEN_BEFORE(4),

	/**
	 * It has inode 0, and the socket ledger saw this JVM close a socket with this 4-tuple while
	 * this test ran: on the test's own thread, or on any thread while it was the only checked
	 * test running. Only with the agent. It proves the orphans that rules 1 to 4 cannot reach:
	 * the closer's FIN_WAIT2 toward a peer in another process that never closes, when the socket
	 * was opened and closed within the test, and the orphans of a listener opened and closed
	 * within the test. A socket with an inode is never proved by it: that inode is another
	 * socket's, a later one on the same 4-tuple.
	 */
	CLOSED_DURING_TEST(5);

	private final int number;

	OwnershipRule(int number) {
		this.number = number;
	}

	int number() {
		return this.number;
	}
}
