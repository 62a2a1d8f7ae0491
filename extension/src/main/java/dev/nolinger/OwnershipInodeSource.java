/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Set;

/** The inodes of the sockets this process holds open. */
interface OwnershipInodeSource {

	Set<Long> socketInodes() throws SocketTableException;
}
