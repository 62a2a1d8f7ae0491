/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import org.jspecify.annotations.Nullable;

/**
 * The proof that a socket is this JVM's.
 *
 * @param rule the rule that proved it
 * @param evidence the socket or listener the proof leans on, for rules 2 and 3; else null
 */
record Ownership(OwnershipRule rule, @Nullable TcpSocket evidence) {
}
