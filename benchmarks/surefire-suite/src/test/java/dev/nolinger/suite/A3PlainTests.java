/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.suite;

/** The suite without the check, after the checked one. */
class A3PlainTests extends TrivialSuite {
}
