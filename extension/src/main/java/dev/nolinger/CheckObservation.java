/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.List;

/**
 * One read of the table after a test.
 *
 * @param findings this JVM's sockets the test left in a checked state
 * @param settling this JVM's sockets the test left on their way into a checked state, such as
 *     FIN_WAIT1 waiting for the ACK that makes it FIN_WAIT2
 */
record CheckObservation(List<Finding> findings, List<Finding> settling) {

	static final CheckObservation CLEAN = new CheckObservation(List.of(), List.of());

	int unsettled() {
		return this.settling.size();
	}
}
