/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.nolinger.NoLingeringSockets;
import dev.nolinger.NoLingeringSocketsExtension;
import dev.nolinger.TcpState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Execution;

/**
 * Every leak pattern of the corpus through the path that skips reads where nothing can have
 * changed (the default) and through the path that reads the whole table at every check
 * ({@code nolinger.read.always=true}): the same tests fail, with the same message once ports and
 * inodes are blanked out. On Java 22+ with native access the skipping path also reads only this
 * JVM's sockets, by fd and exact 4-tuple, wherever it reads. Two clean annotated tests run first, so that on the skipping path the
 * snapshot before the first leak is a skipped one, judged against an older read.
 */
class FastPathDifferentialTests {

	/** Repetitions of each corpus fixture kept: enough to leak after a skipped snapshot and after a real one. */
	private static final int REPETITIONS_KEPT = 3;

	/** The fixtures whose clients close their pooled connections in time: every test passes. */
	private static final Set<Class<?>> CLEAN = Set.of(LeakCorpusTests.ApacheAsyncTestCases.class,
			LeakCorpusTests.JdkHttpClientTestCases.class);

	private static final Map<String, Integer> SKIPPED = new ConcurrentHashMap<>();

	private static final Pattern PORT = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+|\\]):\\d+");

	private static final Pattern INODE = Pattern.compile("inode \\d+");

	/** The other process this JVM holds links to, in the held-link runs. */
	static volatile OutsidePeer peer;

	@BeforeAll
	static void startPeer() throws Exception {
		peer = OutsidePeer.start();
	}

	@AfterAll
	static void stopPeer() throws IOException {
		peer.close();
	}

	@AfterEach
	void closeLeaks() throws IOException {
		Leaks.closeAll();
	}

	@ParameterizedTest
	@org.junit.jupiter.params.provider.MethodSource("corpus")
	void skippingReadsFindsWhatReadingEveryTimeFinds(Class<?> fixture) throws IOException {
		compare(fixture, "");
	}

	@ParameterizedTest
	// The provider's annotation by its full name: MethodSource names a test source below.
	@org.junit.jupiter.params.provider.MethodSource("corpusAndTheLinkClosedByItsPeer")
	void theSameWhileThisJvmHoldsALinkToAnotherProcess(Class<?> fixture) throws Exception {
		try (Socket link = new Socket()) {
			link.connect(new InetSocketAddress(Loopback.IPV4.address(), peer.port()), (int) Loopback.IO_TIMEOUT.toMillis());
			compare(fixture, " holding a link");
		}
	}

	static List<Class<?>> corpus() {
		return List.of(LeakCorpusTests.AcceptedSocketNeverClosedTestCases.class,
				LeakCorpusTests.ClientSocketNeverClosedTestCases.class, LeakCorpusTests.ServerSocketStillListeningTestCases.class,
				LeakCorpusTests.HalfCloseTestCases.class, LeakCorpusTests.Ipv6TestCases.class,
				LeakCorpusTests.InetFamilyTestCases.class, LeakCorpusTests.BlockingChannelTestCases.class,
				LeakCorpusTests.SelectorClientTestCases.class, LeakCorpusTests.NestedTestCases.class,
				LeakCorpusTests.MetaAnnotationTestCases.class, LeakCorpusTests.HttpUrlConnectionTestCases.class,
				LeakCorpusTests.OkHttpTestCases.class, LeakCorpusTests.ApacheClassicTestCases.class,
				LeakCorpusTests.ApacheAsyncTestCases.class, LeakCorpusTests.JdkHttpClientTestCases.class,
				LeakCorpusTests.OneRepetitionLeaksTestCases.class, LeakCorpusTests.OneParameterSetLeaksTestCases.class);
	}

	static List<Class<?>> corpusAndTheLinkClosedByItsPeer() {
		List<Class<?>> fixtures = new ArrayList<>(corpus());
		fixtures.add(PeerClosesALinkTestCases.class);
		return fixtures;
	}

	private static void compare(Class<?> fixture, String shape) throws IOException {
		List<String> everyRead = outcomes(fixture, true, new ArrayList<>());
		Leaks.closeAll();
		List<String> skipped = new ArrayList<>();
		List<String> skipping = outcomes(fixture, false, skipped);

		assertThat(skipping).as("outcomes of %s, skipping reads%s", fixture.getSimpleName(), shape).isEqualTo(everyRead);
		assertThat(everyRead).as("outcomes of %s%s", fixture.getSimpleName(), shape)
			.anyMatch(outcome -> outcome.contains(CLEAN.contains(fixture) ? "TestCases" : " FAILED "))
			.noneMatch(outcome -> CLEAN.contains(fixture) && outcome.contains(" FAILED "));
		SKIPPED.put(fixture.getSimpleName() + shape, skipped.size());
	}

	/**
	 * The skipping path must have skipped reads, or the comparison proves nothing. Fixtures leave
	 * pooled connections behind on purpose, which keep later runs from skipping, so the count is
	 * over all of them.
	 */
	@AfterAll
	static void readsWereSkipped() {
		System.out.println("nolinger differential: reads skipped per fixture " + SKIPPED);
		assertThat(SKIPPED.values().stream().mapToInt(Integer::intValue).sum()).as("reads skipped, %s", SKIPPED)
			.isGreaterThanOrEqualTo(SKIPPED.size());
	}

	/** One line per test that ran, clean fixture first: its name, status and blanked-out failure message. */
	private static List<String> outcomes(Class<?> fixture, boolean readAlways, List<String> skippedReads) {
		Map<String, String> configuration = new HashMap<>();
		configuration.put(NoLingeringSocketsExtension.GRACE_KEY, "100ms");
		configuration.put(NoLingeringSocketsExtension.READ_ALWAYS_KEY, String.valueOf(readAlways));
		// ClassOrderer.DEFAULT_ORDER_PROPERTY_NAME, spelled out: the constant is newer than JUnit 5.8, the oldest supported.
		configuration.put("junit.jupiter.testclass.order.default", ClassOrderer.OrderAnnotation.class.getName());
		Logger logger = Logger.getLogger(NoLingeringSocketsExtension.class.getName());
		Level level = logger.getLevel();
		Handler handler = new Handler() {
			@Override
			public void publish(LogRecord record) {
				if (record.getMessage().startsWith("nolinger: no read")
						|| record.getMessage().startsWith("nolinger: no whole-table read")) {
					synchronized (skippedReads) {
						skippedReads.add(record.getMessage());
					}
				}
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}
		};
		logger.addHandler(handler);
		logger.setLevel(Level.FINE);
		try {
			List<DiscoverySelector> selectors = new ArrayList<>();
			selectors.add(selectClass(CleanFirstTestCases.class));
			selectors.addAll(firstInvocations(fixture));
			return EngineTestKit.engine("junit-jupiter")
				.selectors(selectors.toArray(DiscoverySelector[]::new))
				.configurationParameters(configuration)
				.execute()
				.testEvents()
				.executions()
				.finished()
				.map(FastPathDifferentialTests::outcome)
				.toList();
		}
		finally {
			logger.removeHandler(handler);
			logger.setLevel(level);
			Leaks.takeAll();
		}
	}

	/** The first {@value #REPETITIONS_KEPT} invocations of each test template the fixture declares. */
	private static List<DiscoverySelector> firstInvocations(Class<?> fixture) {
		TestPlan plan = LauncherFactory.create()
			.discover(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture)).build());
		List<DiscoverySelector> selectors = new ArrayList<>();
		Deque<TestIdentifier> pending = new ArrayDeque<>(plan.getRoots());
		while (!pending.isEmpty()) {
			TestIdentifier identifier = pending.poll();
			if (identifier.getUniqueIdObject().getLastSegment().getType().equals("test-template")) {
				MethodSource method = (MethodSource) identifier.getSource().orElseThrow();
				Class<?> declaring = method.getJavaClass();
				if (!Modifier.isStatic(declaring.getModifiers())) {
					// An iteration of a @Nested class's template cannot be selected: run them all.
					return List.of(selectClass(fixture));
				}
				// By unique ID rather than selectIteration, which is newer than JUnit 5.8, the oldest supported.
				IntStream.rangeClosed(1, REPETITIONS_KEPT)
					.forEach(n -> selectors.add(selectUniqueId(identifier.getUniqueIdObject().append("test-template-invocation", "#" + n))));
			}
			pending.addAll(plan.getChildren(identifier));
		}
		assertThat(selectors).as("test templates of %s", fixture.getSimpleName()).isNotEmpty();
		return selectors;
	}

	private static String outcome(Execution execution) {
		TestExecutionResult result = execution.getTerminationInfo().getExecutionResult();
		String message = result.getThrowable().map(Throwable::getMessage).map(FastPathDifferentialTests::blanked).orElse("");
		return execution.getTestDescriptor().getUniqueId() + " " + result.getStatus() + " " + message;
	}

	/**
	 * Ports and inodes differ from run to run, and so does the width of the rows' columns, which
	 * the longest inode or port sets (inodes cross from 7 to 8 digits on a busy host): runs of
	 * spaces are compared as one gap; rows are compared as a set. So do the lineage of a
	 * pooled library thread (whether this test or an earlier one created it) and the fix that
	 * lineage leads to: they say where, and attribution is what is compared.
	 */
	private static String blanked(String message) {
		String blanked = INODE.matcher(PORT.matcher(message).replaceAll("$1:PORT")).replaceAll("inode N");
		return Arrays.stream(blanked.split("\n"))
			.filter(line -> !line.matches("    thread \".*\" was started during .*"))
			.map(line -> line.replaceAll("(?<=\\S) {2,}", "  "))
			.map(line -> line.startsWith("Fix: ") ? "Fix: ..." : line)
			.sorted()
			.collect(Collectors.joining("\n"));
	}

	/**
	 * A link to another process, opened before the tests, that the process closes during the
	 * second test: this JVM's end sits in CLOSE_WAIT, a finding of that test on both paths (its
	 * first test is clean). The end is closed after the class.
	 */
	@NoLingeringSockets
	static class PeerClosesALinkTestCases {

		private static Socket link;

		@BeforeAll
		static void openLink() throws IOException {
			link = new Socket();
			link.connect(new InetSocketAddress(Loopback.IPV4.address(), peer.port()), (int) Loopback.IO_TIMEOUT.toMillis());
		}

		@AfterAll
		static void closeLink() throws IOException {
			link.close();
		}

		@RepeatedTest(2)
		void peerClosesTheLinkInTheSecond(RepetitionInfo repetition) throws Exception {
			if (repetition.getCurrentRepetition() == 2) {
				peer.dropConnectionFrom(link.getLocalPort());
				// Bounded: a peer that never closes fails the test rather than hanging it.
				link.setSoTimeout((int) Loopback.IO_TIMEOUT.toMillis());
				LoopbackConnection.awaitEndOfStream(link);
				ProcNetTcp.awaitState((InetSocketAddress) link.getLocalSocketAddress(),
						(InetSocketAddress) link.getRemoteSocketAddress(), TcpState.CLOSE_WAIT);
			}
		}
	}

	/** Runs first: a check that reads and proves nothing can change, then one that reads nothing. */
	@Order(1)
	@NoLingeringSockets
	static class CleanFirstTestCases {

		@RepeatedTest(2)
		void touchesNoSocket() {
			assertThat(Thread.currentThread().isInterrupted()).isFalse();
		}
	}
}
