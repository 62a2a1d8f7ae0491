/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */

/**
 * {@link dev.nolinger.NoLingeringSockets}: a JUnit Jupiter extension that fails a test which
 * leaves this JVM's TCP sockets lingering in FIN_WAIT2 or CLOSE_WAIT.
 *
 * <p>The public API is the annotation, {@link dev.nolinger.TcpState},
 * {@link dev.nolinger.LingeringSocketsError}, the extension class for global registration, and
 * the suite summary listener. Everything else is package-private.
 */
@NullMarked
package dev.nolinger;

import org.jspecify.annotations.NullMarked;
