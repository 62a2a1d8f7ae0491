/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static dev.nolinger.samples.LeakShape.CLIENT_NEVER_CLOSES;
import static dev.nolinger.samples.LeakShape.HALF_CLOSED_CLIENT;
import static dev.nolinger.samples.LeakShape.SERVER_NEVER_CLOSES;
import static dev.nolinger.samples.LingeringFailures.assertLingering;
import static dev.nolinger.samples.Loopback.IPV4;
import static dev.nolinger.samples.Loopback.IPV4_ONLY;
import static dev.nolinger.samples.Loopback.IPV6;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.nolinger.NoLingeringSockets;
import dev.nolinger.NoLingeringSocketsExtension;
import dev.nolinger.TcpState;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestExecutionResult.Status;

/**
 * The leak corpus: the ways tests really leave sockets half-closed, each run {@value #REPETITIONS}
 * times. Every repetition of a leak must fail with nolinger's message, naming the states and both
 * ports of each lingering end; a client that really closes its pooled connection soon after the
 * server goes must pass every time. The figures go to {@code target/nolinger-corpus.txt}, which
 * docs/reliability.md quotes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeakCorpusTests {

	static final int REPETITIONS = 20;

	/** How many repetitions the fixture has in which only one leaks. */
	private static final int INVOCATIONS = 5;

	/** The fixture method that leaks once per repetition. */
	private static final String LEAKS = "leaks";

	/** The fixture method that gets a page and then stops the server under the client's pooled connection. */
	private static final String SERVER_STOPS = "serverStopsUnderPooledConnection";

	/**
	 * Every leaking fixture returns only once both ends of its connection linger, so the grace
	 * need only outlast the reads that confirm them; yet a failing test waits it out in full, 300
	 * times here. 100 ms costs 200 ms a repetition where the samples' 200 ms costs 310.
	 */
	private static final Map<String, String> CORPUS_GRACE = Map.of(NoLingeringSocketsExtension.GRACE_KEY, "100ms");

	/**
	 * A clean test never waits out the grace, so clients that close promptly get the default one:
	 * long enough that a loaded build machine cannot make them look leaky.
	 */
	private static final Map<String, String> DEFAULT_GRACE = Map.of(NoLingeringSocketsExtension.GRACE_KEY, "1s");

	private static final Figures FIGURES = new Figures();

	/** Connections that HttpURLConnection's keep-alive cache holds until its timer closes them. */
	private static final List<LeakedConnection> CLOSED_BY_JDK_TIMER = new ArrayList<>();

	@AfterEach
	void closeLeaks() throws IOException {
		Leaks.closeAll();
	}

	@AfterAll
	static void reportFigures() throws IOException {
		for (LeakedConnection leak : CLOSED_BY_JDK_TIMER) {
			Awaitility.await("the JDK's keep-alive timer to close " + leak.client())
				.atMost(Duration.ofSeconds(15))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> ProcNetTcp.stateOf(leak.client(), leak.server()),
						state -> !state.equals(Optional.of(TcpState.CLOSE_WAIT)));
		}
		String summary = FIGURES.summary();
		Path report = Path.of(System.getProperty("nolinger.samples.corpus.report", "target/nolinger-corpus.txt"));
		Files.createDirectories(report.toAbsolutePath().getParent());
		Files.writeString(report, summary + "\n", UTF_8);
		System.out.println("nolinger leak corpus: " + summary);
		FIGURES.assertAllAsExpected();
	}

	@Test
	void acceptedSocketNeverClosed() {
		everyRepetitionDetected(AcceptedSocketNeverClosedTestCases.class);
	}

	@Test
	void clientSocketNeverClosedAfterTheServerCloses() {
		everyRepetitionDetected(ClientSocketNeverClosedTestCases.class);
	}

	@Test
	void serverSocketStillListening() {
		everyRepetitionDetected(ServerSocketStillListeningTestCases.class);
	}

	@Test
	void halfCloseWithoutClose() {
		everyRepetitionDetected(HalfCloseTestCases.class);
	}

	@Test
	void ipv6Loopback() {
		everyRepetitionDetected(Ipv6TestCases.class);
	}

	@Test
	void inetFamilyChannelsListedInProcNetTcp() throws IOException {
		for (LeakedConnection leak : everyRepetitionDetected(InetFamilyTestCases.class)) {
			ProcNetTcp.assertListedIn("tcp", leak.server(), leak.client());
		}
	}

	@Test
	void blockingChannelNeverClosed() {
		everyRepetitionDetected(BlockingChannelTestCases.class);
	}

	@Test
	void selectorClientLeftOpenAfterTheServerStops() {
		everyRepetitionDetected(SelectorClientTestCases.class);
	}

	@Test
	void nestedClassUnderTheOuterAnnotation() {
		everyRepetitionDetected(NestedTestCases.class, "Inner", LEAKS);
	}

	@Test
	void metaAnnotation() {
		everyRepetitionDetected(MetaAnnotationTestCases.class);
	}

	/**
	 * Runs first: nothing can close the JDK's keep-alive cache but its own timer, 5 to 10 s later,
	 * so the other patterns run meanwhile, and {@link #reportFigures()} checks that it did. On their
	 * way out these sockets pass through LAST_ACK and TIME_WAIT, states the corpus does not check.
	 */
	@Test
	@Order(1)
	void httpUrlConnectionKeepsItsPooledConnectionAfterTheJdkHttpServerStops() {
		CLOSED_BY_JDK_TIMER.addAll(everyRepetitionDetected(HttpUrlConnectionTestCases.class,
				HttpUrlConnectionTestCases.class.getSimpleName(), SERVER_STOPS));
	}

	@Test
	void okHttpKeepsItsPooledConnectionAfterTheServerStops() {
		everyRepetitionDetected(OkHttpTestCases.class, OkHttpTestCases.class.getSimpleName(), SERVER_STOPS);
	}

	@Test
	void apacheClassicClientKeepsItsPooledConnectionAfterTheServerStops() {
		everyRepetitionDetected(ApacheClassicTestCases.class, ApacheClassicTestCases.class.getSimpleName(), SERVER_STOPS);
	}

	@Test
	void apacheAsyncClientClosesItsPooledConnectionWhenTheServerStops() {
		everyRepetitionPasses(ApacheAsyncTestCases.class);
	}

	@Test
	void jdkHttpClientClosesItsPooledConnectionWhenTheServerStops() {
		everyRepetitionPasses(JdkHttpClientTestCases.class);
	}

	@Test
	void onlyTheRepetitionThatLeaksFails() throws IOException {
		Outcomes outcomes = new Outcomes(OneRepetitionLeaksTestCases.class, true);
		for (int run = 0; run < REPETITIONS; run++) {
			List<TestExecutionResult> results = FixtureRun.run(OneRepetitionLeaksTestCases.class, CORPUS_GRACE).resultsOf("leaksOnce");
			LeakedConnection leak = Leaks.takeOnly();
			outcomes.check(() -> {
				assertOnlyOneFailed(results, INVOCATIONS, OneRepetitionLeaksTestCases.LEAKING - 1);
				assertLingering(results.get(OneRepetitionLeaksTestCases.LEAKING - 1).getThrowable().orElse(null),
						"OneRepetitionLeaksTestCases.leaksOnce() [repetition " + OneRepetitionLeaksTestCases.LEAKING
								+ " of " + INVOCATIONS + "]",
						0, leak.expectedRows());
			});
			Leaks.closeAll();
		}
		outcomes.finish();
	}

	@Test
	void onlyTheParameterSetThatLeaksFails() throws IOException {
		Outcomes outcomes = new Outcomes(OneParameterSetLeaksTestCases.class, true);
		for (int run = 0; run < REPETITIONS; run++) {
			List<TestExecutionResult> results = FixtureRun.run(OneParameterSetLeaksTestCases.class, CORPUS_GRACE)
				.resultsOf("leaksOnIpv6Only");
			LeakedConnection leak = Leaks.takeOnly();
			outcomes.check(() -> {
				assertOnlyOneFailed(results, Loopback.values().length, IPV6.ordinal());
				assertLingering(results.get(IPV6.ordinal()).getThrowable().orElse(null),
						"OneParameterSetLeaksTestCases.leaksOnIpv6Only() [IPV6]", 0, leak.expectedRows());
			});
			Leaks.closeAll();
		}
		outcomes.finish();
	}

	private static List<LeakedConnection> everyRepetitionDetected(Class<?> fixture) {
		return everyRepetitionDetected(fixture, fixture.getSimpleName(), LEAKS);
	}

	/**
	 * Runs the fixture, whose {@code method} leaks one connection in each of its
	 * {@value #REPETITIONS} repetitions, and checks that each repetition failed and named its own
	 * connection's ends.
	 *
	 * @param testClass the simple name of the class that declares the method, as nolinger prints it
	 * @return the leaked connections, still lingering, in the order of the repetitions
	 */
	private static List<LeakedConnection> everyRepetitionDetected(Class<?> fixture, String testClass, String method) {
		List<TestExecutionResult> results = FixtureRun.run(fixture, CORPUS_GRACE).resultsOf(method);
		List<LeakedConnection> leaks = Leaks.takeAll();
		assertThat(results).as("repetitions of %s", fixture.getSimpleName()).hasSize(REPETITIONS);
		assertThat(leaks).as("connections leaked by %s", fixture.getSimpleName()).hasSize(REPETITIONS);
		Outcomes outcomes = new Outcomes(fixture, true);
		for (int i = 0; i < REPETITIONS; i++) {
			Throwable failure = results.get(i).getThrowable().orElse(null);
			String testName = testClass + "." + method + "() [repetition " + (i + 1) + " of " + REPETITIONS + "]";
			ExpectedRow[] rows = leaks.get(i).expectedRows();
			outcomes.check(() -> assertLingering(failure, testName, 0, rows));
		}
		outcomes.finish();
		return leaks;
	}

	/** Runs the fixture and checks that each of its {@value #REPETITIONS} repetitions passed, its connection closed. */
	private static void everyRepetitionPasses(Class<?> fixture) {
		List<TestExecutionResult> results = FixtureRun.run(fixture, DEFAULT_GRACE).resultsOf(SERVER_STOPS);
		List<LeakedConnection> connections = Leaks.takeAll();
		assertThat(results).as("repetitions of %s", fixture.getSimpleName()).hasSize(REPETITIONS);
		assertThat(connections).as("connections of %s", fixture.getSimpleName()).hasSize(REPETITIONS);
		Outcomes outcomes = new Outcomes(fixture, false);
		for (int i = 0; i < REPETITIONS; i++) {
			TestExecutionResult result = results.get(i);
			LeakedConnection connection = connections.get(i);
			outcomes.check(() -> {
				assertThat(result.getThrowable()).as("failure of repetition %s", result).isEmpty();
				assertThat(result.getStatus()).isEqualTo(Status.SUCCESSFUL);
				assertThat(ProcNetTcp.stateOf(connection.client(), connection.server()))
					.as("state of the client end %s", connection.client())
					.isNotEqualTo(Optional.of(TcpState.CLOSE_WAIT));
			});
		}
		outcomes.finish();
	}

	private static void assertOnlyOneFailed(List<TestExecutionResult> results, int invocations, int failing) {
		assertThat(results).as("invocations").hasSize(invocations);
		for (int i = 0; i < results.size(); i++) {
			assertThat(results.get(i).getStatus()).as("status of invocation %d: %s", i + 1, results.get(i))
				.isEqualTo(i == failing ? Status.FAILED : Status.SUCCESSFUL);
		}
	}

	/** An assertion on one repetition's outcome. */
	@FunctionalInterface
	private interface Check {

		void run() throws IOException;
	}

	/** The outcomes of one pattern's repetitions: how many came out as expected, and what did not. */
	private static final class Outcomes {

		private final Class<?> fixture;
		private final boolean leaking;
		private final List<Throwable> misses = new ArrayList<>();
		private int asExpected;

		Outcomes(Class<?> fixture, boolean leaking) {
			this.fixture = fixture;
			this.leaking = leaking;
		}

		void check(Check check) {
			try {
				check.run();
				this.asExpected++;
			}
			catch (AssertionError | IOException e) {
				this.misses.add(e);
			}
		}

		/** Counts the pattern in the figures, then fails with every miss if there was one. */
		void finish() {
			FIGURES.add(this.leaking, this.asExpected);
			if (!this.misses.isEmpty()) {
				AssertionError failure = new AssertionError(this.fixture.getSimpleName() + ": " + this.misses.size()
						+ " of " + REPETITIONS + " repetitions did not come out as expected ("
						+ (this.leaking ? "detected" : "passed") + "); the first: " + this.misses.get(0).getMessage());
				this.misses.forEach(failure::addSuppressed);
				throw failure;
			}
		}
	}

	/** The figures of the whole corpus, as docs/reliability.md quotes them. */
	private static final class Figures {

		private int leakingPatterns;
		private int detected;
		private int cleanPatterns;
		private int passed;

		synchronized void add(boolean leaking, int asExpected) {
			if (leaking) {
				this.leakingPatterns++;
				this.detected += asExpected;
			}
			else {
				this.cleanPatterns++;
				this.passed += asExpected;
			}
		}

		synchronized String summary() {
			return "patterns=" + (this.leakingPatterns + this.cleanPatterns) + " repetitions=" + REPETITIONS + " detected="
					+ this.detected + "/" + this.leakingPatterns * REPETITIONS + " expected-pass=" + this.passed + "/"
					+ this.cleanPatterns * REPETITIONS;
		}

		synchronized void assertAllAsExpected() {
			assertThat(this.detected).as("leaking repetitions detected").isEqualTo(this.leakingPatterns * REPETITIONS);
			assertThat(this.passed).as("clean repetitions passed").isEqualTo(this.cleanPatterns * REPETITIONS);
		}
	}

	/** One connection leaked in each repetition, in the shape, over the loopback, the subclass picks. */
	abstract static class ShapeTestCases {

		private final LeakShape shape;
		private final Loopback loopback;
		private final boolean listening;

		ShapeTestCases(LeakShape shape, Loopback loopback, boolean listening) {
			this.shape = shape;
			this.loopback = loopback;
			this.listening = listening;
		}

		@RepeatedTest(REPETITIONS)
		@NoLingeringSockets
		void leaks() throws IOException {
			if (this.listening) {
				Leaks.leakWhileListening(this.shape, this.loopback);
			}
			else {
				Leaks.leak(this.shape, this.loopback);
			}
		}
	}

	/** java.net: a server reads end-of-stream on an accepted Socket and never closes it. */
	static class AcceptedSocketNeverClosedTestCases extends ShapeTestCases {

		AcceptedSocketNeverClosedTestCases() {
			super(SERVER_NEVER_CLOSES, IPV4, false);
		}
	}

	/** java.net: the server closes, and the client Socket reads end-of-stream and never closes. */
	static class ClientSocketNeverClosedTestCases extends ShapeTestCases {

		ClientSocketNeverClosedTestCases() {
			super(CLIENT_NEVER_CLOSES, IPV4, false);
		}
	}

	/** java.net: the ServerSocket is left listening too, so nolinger can name each end. */
	static class ServerSocketStillListeningTestCases extends ShapeTestCases {

		ServerSocketStillListeningTestCases() {
			super(SERVER_NEVER_CLOSES, IPV4, true);
		}
	}

	/** The client calls shutdownOutput() and never close(); the server never closes either. */
	static class HalfCloseTestCases extends ShapeTestCases {

		HalfCloseTestCases() {
			super(HALF_CLOSED_CLIENT, IPV4, false);
		}
	}

	/** {@code ::1}: the client never closes after the server did. */
	static class Ipv6TestCases extends ShapeTestCases {

		Ipv6TestCases() {
			super(CLIENT_NEVER_CLOSES, IPV6, false);
		}
	}

	/** Channels opened for StandardProtocolFamily.INET, listed in /proc/net/tcp: the server never closes. */
	static class InetFamilyTestCases extends ShapeTestCases {

		InetFamilyTestCases() {
			super(SERVER_NEVER_CLOSES, IPV4_ONLY, false);
		}
	}

	/** NIO blocking channels of the JDK's default family: the server reads -1 and never closes the accepted channel. */
	static class BlockingChannelTestCases {

		@RepeatedTest(REPETITIONS)
		@NoLingeringSockets
		void leaks() throws IOException {
			SocketChannel accepted;
			InetSocketAddress clientEnd;
			StackTraceElement connectedAt;
			StackTraceElement acceptedAt;
			try (ServerSocketChannel listener = IPV4.openServerChannel().bind(new InetSocketAddress(IPV4.address(), 0))) {
				SocketChannel client = SocketChannel.open(listener.getLocalAddress()); connectedAt = SourceLine.here();
				try (client) {
					accepted = listener.accept(); acceptedAt = SourceLine.here();
					clientEnd = (InetSocketAddress) client.getLocalAddress();
				}
			}
			LeakedConnection leak = Leaks.record(new LeakedConnection(SERVER_NEVER_CLOSES, IPV4, clientEnd,
					(InetSocketAddress) accepted.getLocalAddress(), false, connectedAt, acceptedAt), accepted);
			// The client has closed: its FIN is already here, so this read cannot block.
			assertThat(accepted.read(ByteBuffer.allocate(1))).as("end of stream").isEqualTo(-1);
			leak.awaitSettled();
		}
	}

	/** A non-blocking client registered with a Selector, left open after the selector server stops. */
	static class SelectorClientTestCases {

		@RepeatedTest(REPETITIONS)
		@NoLingeringSockets
		void leaks() throws IOException {
			SelectorClient client = null;
			InetSocketAddress serverEnd;
			StackTraceElement connectedAt;
			try (SelectorEchoServer server = SelectorEchoServer.start(IPV4)) {
				serverEnd = server.address();
				client = SelectorClient.connect(IPV4, serverEnd); connectedAt = SourceLine.here();
				assertThat(client.echo("ping")).isEqualTo("ping");
			}
			catch (IOException | RuntimeException | Error e) {
				Closing.quietly(e, client);
				throw e;
			}
			// The server's selector thread accepted its end.
			Leaks.record(new LeakedConnection(CLIENT_NEVER_CLOSES, IPV4, client.localAddress(), serverEnd, false,
					connectedAt, null), client)
				.awaitSettled();
		}
	}

	/** Under the outer class's annotation, a @Nested class leaks. */
	@NoLingeringSockets
	static class NestedTestCases {

		@Nested
		class Inner {

			@RepeatedTest(REPETITIONS)
			void leaks() throws IOException {
				Leaks.leak(SERVER_NEVER_CLOSES, IPV4);
			}
		}
	}

	/** A project's own annotation that makes a repeated test checked for lingering sockets. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@RepeatedTest(REPETITIONS)
	@NoLingeringSockets
	@interface RepeatedSocketTest {
	}

	static class MetaAnnotationTestCases {

		@RepeatedSocketTest
		void leaks() throws IOException {
			Leaks.leak(HALF_CLOSED_CLIENT, IPV6);
		}
	}

	/**
	 * Gets a page with the client, which pools the connection, then stops the JDK's HttpServer
	 * under it. A client that leaves its end in CLOSE_WAIT leaks; the fixture returns once both
	 * ends linger, as the server's end may sit in FIN_WAIT1 for a delayed ACK longer than the grace.
	 */
	abstract static class PooledHttpTestCases {

		private final PooledHttpClient client;

		PooledHttpTestCases(PooledHttpClient client) {
			this.client = client;
		}

		@RepeatedTest(REPETITIONS)
		@NoLingeringSockets
		void serverStopsUnderPooledConnection() throws IOException {
			LeakedConnection connection;
			try (HelloHttpServer server = HelloHttpServer.start(IPV4)) {
				PooledHttpClient.Fetched fetched = this.client.get(server.uri()); StackTraceElement fetchedAt = SourceLine.here();
				// The server's dispatcher thread accepts.
				connection = Leaks.record(new LeakedConnection(CLIENT_NEVER_CLOSES, IPV4, server.onlyClient(),
						server.address(), false, this.client.connectsOnTheCallingThread() ? fetchedAt : null, null),
						fetched.client());
				assertThat(fetched.body()).isEqualTo(HelloHttpServer.BODY);
				assertThat(ProcNetTcp.stateOf(connection.client(), connection.server())).as("the pooled connection")
					.contains(TcpState.ESTABLISHED);
			}
			if (this.client.leavesCloseWait()) {
				connection.awaitSettled();
			}
		}
	}

	static class HttpUrlConnectionTestCases extends PooledHttpTestCases {

		HttpUrlConnectionTestCases() {
			super(PooledHttpClient.HTTP_URL_CONNECTION);
		}
	}

	static class OkHttpTestCases extends PooledHttpTestCases {

		OkHttpTestCases() {
			super(PooledHttpClient.OKHTTP);
		}
	}

	static class ApacheClassicTestCases extends PooledHttpTestCases {

		ApacheClassicTestCases() {
			super(PooledHttpClient.APACHE_CLASSIC);
		}
	}

	static class ApacheAsyncTestCases extends PooledHttpTestCases {

		ApacheAsyncTestCases() {
			super(PooledHttpClient.APACHE_ASYNC);
		}
	}

	static class JdkHttpClientTestCases extends PooledHttpTestCases {

		JdkHttpClientTestCases() {
			super(PooledHttpClient.JDK_HTTP_CLIENT);
		}
	}

	/** Only one repetition leaks; the others talk to an echo server and close everything. */
	@NoLingeringSockets
	static class OneRepetitionLeaksTestCases {

		static final int LEAKING = 3;

		@RepeatedTest(INVOCATIONS)
		void leaksOnce(RepetitionInfo repetition) throws IOException {
			if (repetition.getCurrentRepetition() == LEAKING) {
				Leaks.leak(SERVER_NEVER_CLOSES, IPV4);
			}
			else {
				Traffic.echoOverFreshConnections(IPV4, 2);
			}
		}
	}

	/** A bug that shows over one family only: only that parameter set leaks. */
	@NoLingeringSockets
	static class OneParameterSetLeaksTestCases {

		@ParameterizedTest(name = "{0}")
		@EnumSource(Loopback.class)
		void leaksOnIpv6Only(Loopback loopback) throws IOException {
			if (loopback == IPV6) {
				Leaks.leak(SERVER_NEVER_CLOSES, loopback);
			}
			else {
				Traffic.echoOverFreshConnections(loopback, 2);
			}
		}
	}
}
