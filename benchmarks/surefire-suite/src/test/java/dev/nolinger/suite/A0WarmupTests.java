/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.suite;

/** Warms the fork up; not counted. */
class A0WarmupTests extends TrivialSuite {
}
