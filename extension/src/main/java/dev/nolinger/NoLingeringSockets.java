/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * Fails a test that leaves this JVM's TCP sockets lingering in {@link TcpState#FIN_WAIT2} or
 * {@link TcpState#CLOSE_WAIT} (or the {@linkplain #states() states you name}).
 *
 * <p>Before the first {@code @BeforeEach} method the extension snapshots the Linux socket table,
 * through a netlink {@code sock_diag} dump or from {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}, as {@value NoLingeringSocketsExtension#SOURCE_KEY} chooses; after the
 * last {@code @AfterEach} method it reads the table again. A socket counts against the test when
 * it belongs to this JVM, is in one of the checked states after the test, and was not in that
 * state with the same 4-tuple before the test. Findings must hold in two reads in a row, and the
 * extension waits up to the {@linkplain #graceMillis() grace} for sockets that are still closing.
 * A clean test pays no wait.
 *
 * <p>More than {@linkplain #tolerance() tolerance} lingering sockets fail the test with a
 * {@link LingeringSocketsError} that lists each socket, which end failed to close it, and why it
 * counts as this JVM's. If the test already failed on its own, its failure stays the primary one.
 *
 * <p>On a class (and under global registration) the class is checked as a whole too: a snapshot
 * before its {@code @BeforeAll} methods, a judgement after its {@code @AfterAll} methods. Sockets
 * that linger then, and that no test of the class (or of a nested class) already reported, fail
 * the class container with a message of the same kind that names the class. Turn it off with
 * {@value NoLingeringSocketsExtension#CLASSES_KEY}{@code =false}.
 *
 * <p>To check every test without annotating each, register {@link NoLingeringSocketsExtension}
 * globally, through JUnit's extension autodetection
 * ({@code junit.jupiter.extensions.autodetection.enabled=true}) or with {@code @ExtendWith} on a
 * base class; unannotated tests then use the configured defaults, and
 * {@code @NoLingeringSockets(enabled = false)} opts a class or method out.
 *
 * <p>Place it on a test method, a test class (it is {@link Inherited} and reaches
 * {@code @Nested} classes), or on your own annotation. The annotation nearest to the test wins:
 * the method's over its class's, an inner class's over an outer one's.
 *
 * <p>Under parallel execution an annotated test runs alone: it takes JUnit's global resource lock
 * ({@link Resources#GLOBAL}) for writing, as {@code @Isolated} does, because every socket a
 * concurrent test opened would be this JVM's too.
 *
 * <h2>Configuration parameters</h2>
 * Set these in {@code junit-platform.properties} or as system properties. An attribute that is
 * left at its default defers to the parameter.
 * <ul>
 * <li>{@value NoLingeringSocketsExtension#ENABLED_KEY}: {@code true} (default) or {@code false}
 * to turn the check off for the whole run.</li>
 * <li>{@value NoLingeringSocketsExtension#STATES_KEY}: comma-separated {@link TcpState} names;
 * default {@code FIN_WAIT2,CLOSE_WAIT}.</li>
 * <li>{@value NoLingeringSocketsExtension#TOLERANCE_KEY}: how many lingering sockets one test may
 * leave; default {@code 0}.</li>
 * <li>{@value NoLingeringSocketsExtension#GRACE_KEY}: how long to let sockets settle, such as
 * {@code 1s} or {@code 500ms}; default {@code 1s}.</li>
 * <li>{@value NoLingeringSocketsExtension#UNSUPPORTED_KEY}: {@code skip} (default) runs the tests
 * without the check where there is no {@code /proc/net/tcp}, with one warning per run;
 * {@code fail} fails each annotated test instead.</li>
 * <li>{@value NoLingeringSocketsExtension#PROC_NET_KEY}: the directory that holds {@code tcp} and
 * {@code tcp6}; default {@code /proc/net}.</li>
 * <li>{@value NoLingeringSocketsExtension#SOURCE_KEY}: where the table is read from.
 * {@code auto} (default) uses netlink {@code sock_diag} (through FFM on Java 22 or later with
 * native access, through the jar's JNI library on Java 17 to 21), where the kernel allows it and
 * {@value NoLingeringSocketsExtension#PROC_NET_KEY} is not set, and {@code /proc} otherwise; {@code netlink} insists on netlink; {@code proc} reads
 * {@code /proc}. Both give the same results; netlink is several times faster.</li>
 * <li>{@value NoLingeringSocketsExtension#READ_ALWAYS_KEY}: {@code true} reads the whole table at every
 * check, instead of skipping reads that cannot change the verdict; default {@code false}.</li>
 * <li>{@value NoLingeringSocketsExtension#BASELINE_KEY}: a file of the lingering sockets each test
 * is known to leave; a test fails only on sockets beyond it.</li>
 * <li>{@value NoLingeringSocketsExtension#BASELINE_WRITE_KEY}: {@code true} rewrites that file
 * from this run instead of failing tests.</li>
 * <li>{@value NoLingeringSocketsExtension#CLASSES_KEY}: {@code false} turns off the check of each
 * class as a whole ({@code @BeforeAll} to {@code @AfterAll}); default {@code true}.</li>
 * <li>{@value SuiteReportListener#REPORT_DIR_KEY}: where the suite summary writes
 * {@code report.json} and {@code report.md}; default {@code target/nolinger}.</li>
 * </ul>
 */
@Target({ ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
@ExtendWith(NoLingeringSocketsExtension.class)
@ResourceLock(value = Resources.GLOBAL, mode = ResourceAccessMode.READ_WRITE)
public @interface NoLingeringSockets {

	/**
	 * Whether to check the annotated tests. {@code false} opts a class or method out, for
	 * example under global registration; the {@value NoLingeringSocketsExtension#ENABLED_KEY}
	 * parameter can still turn the check off for the whole run.
	 *
	 * @return {@code true} to check
	 */
	boolean enabled() default true;

	/**
	 * The states that count as lingering. Left at the default, the
	 * {@value NoLingeringSocketsExtension#STATES_KEY} parameter decides.
	 *
	 * @return the checked states; never empty
	 */
	TcpState[] states() default { TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT };

	/**
	 * How many lingering sockets one test may leave before it fails. Both ends of one loopback
	 * connection count, one each. Left at {@code 0}, the
	 * {@value NoLingeringSocketsExtension#TOLERANCE_KEY} parameter decides.
	 *
	 * @return zero or more
	 */
	int tolerance() default 0;

	/**
	 * How long, in milliseconds, to let sockets settle before judging. {@code -1} means the
	 * {@value NoLingeringSocketsExtension#GRACE_KEY} parameter, one second by default. The wait
	 * happens only when a test has more lingering sockets than it may leave.
	 *
	 * @return {@code -1}, or zero or more milliseconds
	 */
	long graceMillis() default -1;
}
