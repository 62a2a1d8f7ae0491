/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Which frames of a recorded stack a message shows, on stacks built frame by frame: the shapes
 * real stacks take (the ledger's own frames innermost, the JDK's socket code, the user's code,
 * the test, the test framework) at the edges of each rule.
 */
class LedgerFramesTests {

	private static final List<String> TEST = List.of("com.example.FooTest");

	private static final StackTraceElement LEDGER = frame("dev.nolinger.Ledger", "opened");

	private static final StackTraceElement EVENTS = frame("dev.nolinger.LedgerEvents", "connected");

	private static final StackTraceElement BRIDGE = frame("dev.nolinger.LedgerBridge$1", "socketConnected");

	private static final StackTraceElement SOCKET = frame("java.net.Socket", "connect");

	private static final StackTraceElement SUN = frame("sun.nio.ch.NioSocketImpl", "connect");

	private static final StackTraceElement JUNIT = frame("org.junit.platform.engine.Runner", "run");

	@Test
	void showsWhereTheLibraryTouchedTheSocketAndTheTestsInnermostOwnFrameOnly() {
		StackTraceElement[] stack = { LEDGER, EVENTS, SOCKET, user(1), user(2), user(3), user(4), user(5),
				frame("com.example.FooTest$1", "run"), frame("com.example.FooTest", "leaks"), JUNIT };

		assertThat(LedgerFrames.shown(stack, TEST)).containsExactly(user(1), frame("com.example.FooTest$1", "run"));
	}

	@Test
	void aSocketTheTestsOwnLineOpenedShowsThatOneFrame() {
		StackTraceElement[] stack = { EVENTS, SOCKET, frame("com.example.FooTest", "leaks"), JUNIT, JUNIT };

		assertThat(LedgerFrames.shown(stack, TEST)).containsExactly(frame("com.example.FooTest", "leaks"));
	}

	@Test
	void aClassWhoseNameOnlyStartsWithTheTestsIsNotItsOwn() {
		StackTraceElement helper = frame("com.example.FooTestSupport", "open");
		StackTraceElement[] stack = { EVENTS, SOCKET, helper, user(1), user(2), user(3), user(4), user(5), JUNIT };

		assertThat(LedgerFrames.shown(stack, TEST)).as("no own frame: the innermost useful one").containsExactly(helper);
		assertThat(LedgerFrames.anchor(stack, TEST)).as("no own frame: the innermost useful one").isEqualTo(helper);
	}

	@Test
	void aThreadThatRunsOnlyJdkCodeShowsTheInnermostFrameOfAJdkLibraryWithoutNolingers() {
		StackTraceElement http = frame("jdk.internal.net.http.PlainHttpConnection$ConnectEvent", "handle");
		StackTraceElement[] stack = { LEDGER, EVENTS, BRIDGE, SOCKET, SUN, http, frame("java.lang.Thread", "run") };

		assertThat(LedgerFrames.shown(stack, TEST)).containsExactly(http);
		assertThat(LedgerFrames.anchor(stack, TEST)).isEqualTo(SOCKET);
		assertThat(LedgerFrames.shown(new StackTraceElement[] { LEDGER, SOCKET, SUN }, TEST)).containsExactly(SOCKET);
		StackTraceElement dispatcher = frame("sun.net.httpserver.ServerImpl$Dispatcher", "handle");
		assertThat(LedgerFrames.shown(new StackTraceElement[] { LEDGER, SUN, frame("sun.nio.ch.ServerSocketChannelImpl", "accept"),
				dispatcher }, TEST)).containsExactly(dispatcher);
		assertThat(LedgerFrames.forError(stack, TEST)).as("at most four of the JDK's frames")
			.containsExactly(SOCKET, SUN, http, frame("java.lang.Thread", "run"));
	}

	@Test
	void aConnectionPoolOnTheWayIsShownInsteadOfTheLibrarysInnermostFrame() {
		StackTraceElement pool = frame("org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager", "connect");
		StackTraceElement[] stack = { EVENTS, SOCKET, frame("org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator", "connect"),
				pool, frame("org.apache.hc.client5.http.impl.classic.InternalHttpClient", "doExecute"),
				frame("org.apache.hc.client5.http.fluent.Request", "execute"), frame("com.example.FooTest", "leaks"), JUNIT };

		assertThat(LedgerFrames.pool(stack, TEST))
			.isEqualTo(new LedgerFrames.Pool("PoolingHttpClientConnectionManager", pool, null));
		assertThat(LedgerFrames.pool(stack, TEST).opened())
			.isEqualTo("PoolingHttpClientConnectionManager opened it, and keeps it");
		assertThat(LedgerFrames.shown(stack, TEST)).containsExactly(pool, frame("com.example.FooTest", "leaks"));
	}

	@Test
	void poolsAreKnownByTheirNameAndPoolsOfThreadsBuffersOrTheTestsOwnClassesAreNot() {
		for (String pool : List.of("okhttp3.internal.connection.RealConnectionPool", "org.eclipse.jetty.client.DuplexConnectionPool",
				"reactor.netty.resources.PooledConnectionProvider$1", "com.zaxxer.hikari.pool.HikariPool",
				"jdk.internal.net.http.ConnectionPool", "org.apache.commons.pool2.impl.GenericObjectPool")) {
			assertThat(LedgerFrames.pool(new StackTraceElement[] { SOCKET, frame(pool, "get") }, TEST)).as(pool).isNotNull();
		}
		for (String notPool : List.of("java.util.concurrent.ThreadPoolExecutor$Worker", "java.util.concurrent.ForkJoinPool",
				"io.netty.buffer.PooledByteBufAllocator", "org.eclipse.jetty.util.thread.QueuedThreadPool",
				"org.eclipse.jetty.io.ArrayByteBufferPool", "com.example.FooTest", "com.example.Spool")) {
			assertThat(LedgerFrames.pool(new StackTraceElement[] { SOCKET, frame(notPool, "run") },
					List.of("com.example.FooTest"))).as(notPool).isNull();
		}
		assertThat(LedgerFrames.pool(new StackTraceElement[] { SOCKET, frame("com.example.ConnectionPoolTest", "leaks") },
				List.of("com.example.ConnectionPoolTest"))).as("the test's own class, whatever its name").isNull();
		assertThat(LedgerFrames.pool(new StackTraceElement[] { SOCKET, frame("com.example.FooTest", "leaks"), JUNIT,
				frame("com.example.PooledConnectionTests", "runsTheFixture") }, TEST))
			.as("the callers of the test's own frames are the test framework's").isNull();
	}

	@Test
	void aClassThatConnectsForThePoolItHoldsInAFieldNamesThatPoolWhenNoPoolFrameIsOnTheStack() {
		// OkHttp's shape: RealCall looks into its pool, finds nothing, and ConnectPlan, which holds the pool, connects.
		StackTraceElement connects = frame(Connector.class.getName(), "connectSocket");
		StackTraceElement[] stack = { EVENTS, SOCKET, connects, frame("com.example.Call", "execute"),
				frame("com.example.FooTest", "leaks"), JUNIT };

		LedgerFrames.Pool pool = LedgerFrames.pool(stack, TEST);

		assertThat(pool).isEqualTo(new LedgerFrames.Pool("ExampleConnectionPool", connects, "LedgerFramesTests"));
		assertThat(pool.opened()).isEqualTo("LedgerFramesTests opened it for its ExampleConnectionPool, which keeps it");
		assertThat(LedgerFrames.shown(stack, TEST)).containsExactly(connects, frame("com.example.FooTest", "leaks"));
		assertThat(LedgerFrames.pool(new StackTraceElement[] { EVENTS, SOCKET, frame(SubclassedConnector.class.getName(), "connect") },
				TEST)).as("a field its superclass declares").isNotNull();
	}

	@Test
	void aStaticPoolFieldAPoolOfThreadsAClassThatDoesNotResolveAndTheJdksClassesSayNothing() {
		for (String holder : List.of(RecyclesStatically.class.getName(), HoldsThreads.class.getName(),
				"com.example.NotOnTheClassPath", "java.net.http.HttpClient")) {
			assertThat(LedgerFrames.pool(new StackTraceElement[] { EVENTS, SOCKET, frame(holder, "connect") }, TEST)).as(holder)
				.isNull();
		}
	}

	@Test
	void theAnchorIsTheInnermostFrameOfTheTestsOwnClassesElseTheInnermostUsefulOne() {
		StackTraceElement outer = frame("com.example.OuterTest", "leaks");
		StackTraceElement[] stack = { EVENTS, SOCKET, user(1), frame("com.example.OuterTest$Inner", "lambda$leaks$0"), outer, JUNIT };

		assertThat(LedgerFrames.anchor(stack, List.of("com.example.OuterTest$Inner", "com.example.OuterTest")))
			.isEqualTo(frame("com.example.OuterTest$Inner", "lambda$leaks$0"));
		assertThat(LedgerFrames.anchor(stack, List.of())).isEqualTo(user(1));
		assertThat(LedgerFrames.anchor(new StackTraceElement[0], TEST)).as("an empty stack").isNull();
		assertThat(LedgerFrames.shown(new StackTraceElement[0], TEST)).isEmpty();
	}

	@Test
	void theErrorsStackStartsAtTheTestsInnermostOwnFrameAndEndsAtItsOutermost() {
		StackTraceElement[] stack = { LEDGER, EVENTS, SOCKET, SUN, user(1), SOCKET, frame("com.example.FooTest$1", "run"),
				user(2), frame("com.example.FooTest", "leaks"), JUNIT };

		assertThat(LedgerFrames.forError(stack, TEST)).as("the click lands on the test's line; JUnit's frames are left out")
			.containsExactly(Arrays.copyOfRange(stack, 6, 9));
		assertThat(LedgerFrames.forError(stack, List.of())).as("no own frame: from the first outside the JDK, four at most")
			.containsExactly(Arrays.copyOfRange(stack, 4, 8));
	}

	@Test
	void jdkAndNolingerFramesAreToldApartByExactNamesAndPackages() {
		assertThat(LedgerFrames.isJdk(SOCKET)).isTrue();
		assertThat(LedgerFrames.isJdk(frame("javax.net.ssl.SSLSocket", "x"))).isTrue();
		assertThat(LedgerFrames.isJdk(frame("jdk.internal.net.http.HttpClientImpl", "x"))).isTrue();
		assertThat(LedgerFrames.isJdk(frame("com.sun.net.httpserver.HttpServer", "x"))).isTrue();
		assertThat(LedgerFrames.isJdk(frame("javaxx.Foo", "x"))).isFalse();
		assertThat(LedgerFrames.isJdk(frame("com.example.Sun", "x"))).isFalse();

		assertThat(LedgerFrames.isNolinger(LEDGER)).isTrue();
		assertThat(LedgerFrames.isNolinger(BRIDGE)).as("a class nested in one").isTrue();
		assertThat(LedgerFrames.isNolinger(frame("dev.nolinger.LedgerTests", "x"))).as("a user's class in the package").isFalse();
		assertThat(LedgerFrames.isNolinger(frame("dev.nolinger.Check", "x"))).isFalse();
	}

	@Test
	void framesReadAsStackTracesPrintThem() {
		assertThat(LedgerFrames.text(new StackTraceElement("a.B", "m", "B.java", 12))).isEqualTo("a.B.m(B.java:12)");
		assertThat(LedgerFrames.text(new StackTraceElement("a.B", "m", "B.java", 0))).isEqualTo("a.B.m(B.java:0)");
		assertThat(LedgerFrames.text(new StackTraceElement("a.B", "m", "B.java", -1))).isEqualTo("a.B.m(B.java)");
		assertThat(LedgerFrames.text(new StackTraceElement("a.B", "m", null, 12))).isEqualTo("a.B.m(Unknown Source)");
		assertThat(LedgerFrames.text(new StackTraceElement("a.B", "m", "B.java", -2))).isEqualTo("a.B.m(Native Method)");
		for (StackTraceElement frame : new StackTraceElement[] { new StackTraceElement("a.B", "m", "B.java", 0),
				new StackTraceElement("a.B", "m", "B.java", -1), new StackTraceElement("a.B", "m", null, 3) }) {
			assertThat(LedgerFrames.text(frame)).as("as the JDK prints it").isEqualTo(frame.toString());
		}

		assertThat(LedgerFrames.fileAndLine(new StackTraceElement("a.B", "m", "B.java", 12))).isEqualTo("B.java:12");
		assertThat(LedgerFrames.fileAndLine(new StackTraceElement("a.B", "m", "B.java", 0))).isEqualTo("B.java:0");
		assertThat(LedgerFrames.fileAndLine(new StackTraceElement("a.B", "m", "B.java", -1))).isEqualTo("B.java");
		assertThat(LedgerFrames.fileAndLine(new StackTraceElement("a.B", "m", null, 7))).isEqualTo("a.B:7");
	}

	private static final StackTraceElement THREAD_INIT = frame("java.lang.Thread", "<init>");

	private static final StackTraceElement INHERIT = frame("java.lang.ThreadLocal$ThreadLocalMap", "<init>");

	private static final StackTraceElement LINEAGE = frame("dev.nolinger.LedgerLineage$1", "childValue");

	@Test
	void aThreadIsCreatedDirectlyWhenOnlyTheTestsOwnFramesLeadToThreadsConstructor() {
		StackTraceElement[] direct = { LINEAGE, INHERIT, THREAD_INIT, frame("com.example.FooTest", "lambda$leaks$0"),
				frame("com.example.FooTest", "leaks"), frame("java.lang.reflect.Method", "invoke"), JUNIT };
		StackTraceElement[] builder = { LINEAGE, THREAD_INIT, frame("java.lang.ThreadBuilders$PlatformThreadBuilder", "unstarted"),
				frame("java.lang.Thread$Builder", "start"), frame("com.example.FooTest", "leaks"), JUNIT };
		StackTraceElement[] pool = { LINEAGE, THREAD_INIT, frame("com.example.FooTest", "lambda$pool$0"),
				frame("java.util.concurrent.ThreadPoolExecutor", "addWorker"), frame("com.example.FooTest", "leaks"), JUNIT };
		StackTraceElement[] library = { LINEAGE, THREAD_INIT, user(1), frame("com.example.FooTest", "leaks"), JUNIT };
		StackTraceElement[] noOwn = { LINEAGE, THREAD_INIT, JUNIT };

		assertThat(LedgerFrames.createdDirectly(direct, TEST, false)).isTrue();
		assertThat(LedgerFrames.createdDirectly(builder, TEST, false)).isTrue();
		assertThat(LedgerFrames.createdDirectly(pool, TEST, false)).as("a pool between, even with the test's factory").isFalse();
		assertThat(LedgerFrames.createdDirectly(library, TEST, false)).as("a library's thread").isFalse();
		assertThat(LedgerFrames.createdDirectly(noOwn, TEST, false)).as("the test framework's thread").isFalse();
		assertThat(LedgerFrames.createdDirectly(direct, List.of(), false)).isFalse();
	}

	@Test
	void onAThreadTheTestMadeNothingButItsEntryMayLieBeyondTheTestsOwnFrames() {
		StackTraceElement[] platform = { LINEAGE, THREAD_INIT, frame("com.example.FooTest", "lambda$leaks$1"),
				frame("java.lang.Thread", "run") };
		StackTraceElement[] virtual = { LINEAGE, THREAD_INIT, frame("java.lang.BaseVirtualThread", "<init>"),
				frame("java.lang.VirtualThread", "<init>"), frame("com.example.FooTest", "lambda$leaks$1"),
				frame("java.lang.VirtualThread", "run"), frame("java.lang.VirtualThread$VThreadContinuation$1", "run"),
				frame("jdk.internal.vm.Continuation", "enter") };
		StackTraceElement[] worker = { LINEAGE, THREAD_INIT, frame("com.example.FooTest", "lambda$leaks$1"),
				frame("java.util.concurrent.ThreadPoolExecutor", "runWorker"), frame("java.lang.Thread", "run") };
		StackTraceElement[] subclass = { LINEAGE, THREAD_INIT, frame("com.example.FooTest$Worker", "run") };

		assertThat(LedgerFrames.createdDirectly(platform, TEST, true)).isTrue();
		assertThat(LedgerFrames.createdDirectly(virtual, TEST, true)).isTrue();
		assertThat(LedgerFrames.createdDirectly(subclass, TEST, true)).as("the test's own Thread subclass").isTrue();
		assertThat(LedgerFrames.createdDirectly(worker, TEST, true)).as("made on a pool's worker").isFalse();
		assertThat(LedgerFrames.createdDirectly(new StackTraceElement[] { LINEAGE, THREAD_INIT,
				frame("com.example.FooTest", "lambda$leaks$1"), JUNIT }, TEST, true)).as("anything but the entry beyond").isFalse();
	}

	private static StackTraceElement user(int n) {
		return frame("com.example.Client" + n, "call");
	}

	private static StackTraceElement frame(String className, String method) {
		return new StackTraceElement(className, method, className.substring(className.lastIndexOf('.') + 1) + ".java", 10);
	}

	/** A pool, by its name. */
	static final class ExampleConnectionPool {
	}

	/** Connects for the pool it holds, as OkHttp's ConnectPlan does. */
	static class Connector {

		ExampleConnectionPool pool = new ExampleConnectionPool();
	}

	static final class SubclassedConnector extends Connector {
	}

	/** A cache of the whole library, such as a recycler: static. */
	static final class RecyclesStatically {

		static ExampleConnectionPool shared = new ExampleConnectionPool();
	}

	static final class HoldsThreads {

		java.util.concurrent.ThreadPoolExecutor threads;
	}
}
