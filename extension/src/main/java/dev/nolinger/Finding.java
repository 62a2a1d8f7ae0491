/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

/**
 * A socket of this JVM left in a checked state by the test.
 *
 * @param socket the lingering socket
 * @param ownership why it is this JVM's
 * @param otherEnd the other end of the connection when it is this JVM's too; else null
 */
record Finding(TcpSocket socket, Ownership ownership, TcpSocket otherEnd) {
}
