/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.suite;

import dev.nolinger.NoLingeringSockets;

/** The same suite, checked. */
@NoLingeringSockets
class A2AnnotatedTests extends TrivialSuite {
}
