/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

/** Why a socket in the table counts as this JVM's: the attribution rules of DESIGN.md, in order. */
enum OwnershipRule {

	/** Its inode is one of this process's socket fds. */
	OPEN_FD(1),

	/** It has inode 0 and is the mirror of a socket that rule 1 or 3 proves ours. */
	MIRROR(2),

	/** It has inode 0 and its local address and port are one of this JVM's listeners. */
	LISTENER(3),

	/** Its 4-tuple was seen owned by this JVM at an earlier observation. */
	SEEN_BEFORE(4);

	private final int number;

	OwnershipRule(int number) {
		this.number = number;
	}

	int number() {
		return this.number;
	}
}
