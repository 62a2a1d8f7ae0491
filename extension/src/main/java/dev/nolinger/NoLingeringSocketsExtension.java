/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link NoLingeringSockets}. Register it through the annotation, or
 * globally with {@code @ExtendWith} or JUnit's extension autodetection to check every test with
 * the configured defaults.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class NoLingeringSocketsExtension
		implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

	/** Configuration parameter that turns the check on or off for the whole run: {@value}. */
	public static final String ENABLED_KEY = "nolinger.enabled";

	/** Configuration parameter with the comma-separated states that count as lingering: {@value}. */
	public static final String STATES_KEY = "nolinger.states";

	/** Configuration parameter with how many lingering sockets one test may leave: {@value}. */
	public static final String TOLERANCE_KEY = "nolinger.tolerance";

	/** Configuration parameter with how long to let sockets settle, such as {@code 1s}: {@value}. */
	public static final String GRACE_KEY = "nolinger.grace";

	/** Configuration parameter, {@code skip} or {@code fail}, for platforms without {@code /proc}: {@value}. */
	public static final String UNSUPPORTED_KEY = "nolinger.unsupported";

	/** Configuration parameter naming the directory that holds {@code tcp} and {@code tcp6}: {@value}. */
	public static final String PROC_NET_KEY = "nolinger.proc.net";

	/** Configuration parameter naming the baseline file of known lingering sockets: {@value}. */
	public static final String BASELINE_KEY = "nolinger.baseline";

	/** Configuration parameter that rewrites the baseline file from this run instead of failing: {@value}. */
	public static final String BASELINE_WRITE_KEY = "nolinger.baseline.write";

	/**
	 * Configuration parameter, {@code true} (default) or {@code false}, for the check of each test
	 * class as a whole, from before its {@code @BeforeAll} methods to after its {@code @AfterAll}
	 * methods: {@value}.
	 */
	public static final String CLASSES_KEY = "nolinger.classes";

	/**
	 * Configuration parameter choosing where the socket table is read from: {@code proc},
	 * {@code netlink} (Java 22 or later) or {@code auto} (the default): {@value}.
	 */
	public static final String SOURCE_KEY = "nolinger.source";

	/**
	 * Configuration parameter that makes every check read the whole table, {@code true}, instead
	 * of skipping reads that cannot change the verdict, {@code false} (the default): {@value}.
	 */
	public static final String READ_ALWAYS_KEY = "nolinger.read.always";

	private static final Namespace NAMESPACE = Namespace.create(NoLingeringSocketsExtension.class);

	private static final Logger LOGGER = Logger.getLogger(NoLingeringSocketsExtension.class.getName());


	/** Creates the extension; JUnit calls this. */
	public NoLingeringSocketsExtension() {
	}

	/**
	 * Snapshots before the class's {@code @BeforeAll} methods, so that sockets its fixtures leave
	 * lingering after {@code @AfterAll} fail the class container.
	 */
	@Override
	public void beforeAll(ExtensionContext context) {
		try {
			CheckConfiguration configuration = configuration(context);
			if (configuration.enabled()) {
				Ledger.INSTANCE.fixtureStarted(context.getUniqueId());
			}
			if (!configuration.enabled() || !configuration.classes() || JunitVersion.unsupportedJupiter().isPresent()) {
				return;
			}
			NoLingeringSockets annotation = nearestAnnotation(context).orElse(null);
			if (annotation != null && !annotation.enabled()) {
				return;
			}
			CheckSettings settings = CheckSettings.resolve(annotation, configuration);
			Check check = check(context, configuration);
			if (!check.source().isAvailable()) {
				return;
			}
			CheckSnapshot snapshot = check.snapshot(settings.states());
			concurrency(context).open(context.getUniqueId());
			context.getStore(NAMESPACE).put(ClassPending.class, new ClassPending(settings, snapshot, annotation != null));
		}
		catch (ExtensionConfigurationException | SocketTableException e) {
			// Each test's own check reports the same error, naming the test; the class goes unchecked.
		}
	}

	/**
	 * Judges the class after its {@code @AfterAll} methods: sockets it left lingering that no
	 * test of it (or of a nested class) already accounted for.
	 */
	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		Ledger.INSTANCE.fixtureFinished(context.getUniqueId());
		ClassPending pending = context.getStore(NAMESPACE).remove(ClassPending.class, ClassPending.class);
		if (pending == null) {
			return;
		}
		try {
			judgeClass(context, pending);
		}
		finally {
			concurrency(context).close(context.getUniqueId());
		}
	}

	private static void judgeClass(ExtensionContext context, ClassPending pending) throws Exception {
		CheckConfiguration configuration = configuration(context);
		Check check = check(context, configuration);
		CheckSettings settings = pending.settings();
		String classId = context.getUniqueId();
		Set<TcpSocket.Key> accounted = accounted(context);
		UnaryOperator<List<Finding>> notAccounted = findings -> findings.stream()
			.filter(f -> !accounted.contains(f.socket().key()))
			.toList();
		try {
			if (configuration.writeBaseline()) {
				List<Finding> findings = notAccounted.apply(check.findingsToRecord(pending.snapshot(), settings, classId));
				baselineWriter(context, configuration).record(classId, findings);
				findings.forEach(finding -> accounted.add(finding.socket().key()));
				if (!findings.isEmpty()) {
					finish(context, className(context), settings, findings, false, 0);
				}
				return;
			}
			BaselineFile known = baselineFile(context, configuration);
			BaselinePorts ephemeral = ephemeralPorts(context);
			CheckVerdict verdict = check.judge(pending.snapshot(), settings,
					findings -> known.beyond(classId, notAccounted.apply(findings), ephemeral), classId);
			int others = pending.exclusive() ? 0 : concurrency(context).overlapped(classId);
			if (others > 0 && !verdict.findings().isEmpty()) {
				verdict = notJudgedUnlessProven(context, settings, new CheckVerdict(notAccounted.apply(verdict.findings()),
						verdict.beyond(), verdict.failed()), others);
			}
			List<Finding> own = notAccounted.apply(verdict.findings());
			// An outer class that ends after its nested one does not report the nested one's sockets again.
			own.forEach(finding -> accounted.add(finding.socket().key()));
			if (!own.isEmpty()) {
				finish(context, className(context), settings, own, verdict.failed(), 0);
			}
			if (verdict.failed()) {
				SuiteReportRecords.watch(verdict.beyond(), System.nanoTime());
				throw lingeringError(context, className(context), settings, verdict.beyond(),
						own.size() - verdict.beyond().size(), configuration);
			}
		}
		catch (SocketTableException e) {
			throw new SocketTableException(Messages.unreadableTable(className(context), e), e);
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) throws Exception {
		CheckConfiguration configuration = configuration(context);
		if (!configuration.enabled()) {
			return;
		}
		Optional<String> tooOld = JunitVersion.unsupportedJupiter();
		if (tooOld.isPresent()) {
			throw new ExtensionConfigurationException(tooOld.get());
		}
		NoLingeringSockets annotation = nearestAnnotation(context).orElse(null);
		if (annotation != null && !annotation.enabled()) {
			optedOut(context, configuration);
			return;
		}
		CheckSettings settings = CheckSettings.resolve(annotation, configuration);
		Check check = check(context, configuration);
		if (!check.source().isAvailable()) {
			unsupportedPlatform(context, configuration, check.source());
			return;
		}
		noticeParallelExecution(context);
		CheckSnapshot snapshot;
		try {
			snapshot = check.snapshot(settings.states(), context.getUniqueId());
		}
		catch (SocketTableException e) {
			throw new SocketTableException(Messages.unreadableTable(testName(context), e), e);
		}
		concurrency(context).open(context.getUniqueId());
		context.getStore(NAMESPACE).put(Pending.class, new Pending(settings, snapshot, annotation != null));
		// The ledger marks what this thread opens and closes from here on as this test's.
		Ledger.INSTANCE.testStarted(context.getUniqueId());
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		OptedOut optedOut = context.getStore(NAMESPACE).remove(OptedOut.class, OptedOut.class);
		if (optedOut != null) {
			// Not judged, but the class check that follows must not charge the class for them either.
			CheckConfiguration configuration = configuration(context);
			Set<TcpSocket.Key> accounted = accounted(context);
			check(context, configuration).findings(optedOut.snapshot(), configuration.states())
				.forEach(finding -> accounted.add(finding.socket().key()));
			return;
		}
		Pending pending = context.getStore(NAMESPACE).remove(Pending.class, Pending.class);
		if (pending == null) {
			return;
		}
		try {
			judgeTest(context, pending);
		}
		finally {
			concurrency(context).close(context.getUniqueId());
			Ledger.INSTANCE.testFinished();
		}
	}

	private static void judgeTest(ExtensionContext context, Pending pending) throws Exception {
		CheckConfiguration configuration = configuration(context);
		Check check = check(context, configuration);
		CheckSettings settings = pending.settings();
		String testId = context.getUniqueId();
		try {
			if (configuration.writeBaseline()) {
				List<Finding> findings = check.findingsToRecord(pending.snapshot(), settings, testId);
				baselineWriter(context, configuration).record(testId, findings);
				finish(context, settings, findings, false, 0);
				return;
			}
			BaselineFile known = baselineFile(context, configuration);
			BaselinePorts ephemeral = ephemeralPorts(context);
			CheckVerdict verdict = check.judge(pending.snapshot(), settings,
					findings -> known.beyond(testId, findings, ephemeral), testId);
			// An annotated test holds the global lock: windows of classes waiting for it are not activity.
			int others = pending.exclusive() ? 0 : concurrency(context).overlapped(testId);
			if (others > 0 && !verdict.findings().isEmpty()) {
				verdict = notJudgedUnlessProven(context, settings, verdict, others);
			}
			finish(context, settings, verdict.findings(), verdict.failed(),
					verdict.failed() || verdict.findings().size() <= settings.tolerance() ? 0 : verdict.inBaseline());
			if (verdict.failed()) {
				SuiteReportRecords.watch(verdict.beyond(), System.nanoTime());
				throw lingeringError(context, testName(context), settings, verdict.beyond(), verdict.inBaseline(),
						configuration);
			}
		}
		catch (SocketTableException e) {
			throw new SocketTableException(Messages.unreadableTable(testName(context), e), e);
		}
	}

	/** The failure of a test or class, its message and, when traced, its stack naming where the socket to fix was opened. */
	private static LingeringSocketsError lingeringError(ExtensionContext context, String name, CheckSettings settings,
			List<Finding> beyond, int inBaseline, CheckConfiguration configuration) {
		boolean tracing = LedgerEvents.tracing();
		LingeringSocketsError error = new LingeringSocketsError(Messages.lingering(name, ownClasses(context),
				settings.tolerance(), settings.grace(), beyond, inBaseline,
				configuration.baseline().map(Path::toString).orElse(""), tracing), beyond.size());
		error.setStackTrace(Messages.errorStack(beyond, ownClasses(context), tracing));
		return error;
	}

	/**
	 * The classes whose frames are the test's own: its class and superclasses, and for a
	 * {@code @Nested} (inner) class, the classes it sits in.
	 */
	private static List<String> ownClasses(ExtensionContext context) {
		List<String> names = new ArrayList<>();
		for (Class<?> type = context.getTestClass().orElse(null); type != null;
				type = Modifier.isStatic(type.getModifiers()) ? null : type.getEnclosingClass()) {
			for (Class<?> level = type; level != null && level != Object.class; level = level.getSuperclass()) {
				names.add(level.getName());
			}
		}
		return names;
	}

	/**
	 * Other checked tests ran while this one did, so the table cannot tell whose sockets these
	 * are: only findings the ledger proves this test's own are judged; the rest are reported.
	 */
	private static CheckVerdict notJudgedUnlessProven(ExtensionContext context, CheckSettings settings,
			CheckVerdict verdict, int others) {
		Map<Boolean, List<Finding>> byProof = verdict.findings().stream()
			.collect(Collectors.partitioningBy(finding -> CheckConcurrency.provenOwnByLedger(finding, context.getUniqueId())));
		List<Finding> proven = byProof.get(true);
		List<Finding> unproven = byProof.get(false);
		if (!unproven.isEmpty()) {
			context.publishReportEntry(Messages.notJudgedEntry(unproven, others));
			SuiteReportRecords.notJudged(context.getUniqueId(), unproven.size(), others);
		}
		List<Finding> beyond = verdict.beyond().stream().filter(proven::contains).toList();
		return new CheckVerdict(proven, beyond, beyond.size() > settings.tolerance());
	}

	/** {@code passedByBaseline}: how many sockets the baseline excused in a test that passed only thanks to it. */
	private static void finish(ExtensionContext context, CheckSettings settings, List<Finding> findings, boolean failed,
			int passedByBaseline) {
		Set<TcpSocket.Key> accounted = accounted(context);
		// A connection's other end, this JVM's, is named in the test's message even when not judged: not the class's to fail for again.
		findings.forEach(finding -> accounted.addAll(finding.otherEnd() == null ? List.of(finding.socket().key())
				: List.of(finding.socket().key(), finding.otherEnd().key())));
		finish(context, testName(context), settings, findings, failed, passedByBaseline);
	}

	private static void finish(ExtensionContext context, String name, CheckSettings settings, List<Finding> findings,
			boolean failed, int passedByBaseline) {
		publish(context, findings);
		SuiteReportRecords.record(context.getUniqueId(), new SuiteReportRecords.TestRecord(name,
				settings.tolerance(), failed, findings, passedByBaseline));
	}

	/** Every finding, also those within the tolerance, reaches Surefire's XML and IDEs as a report entry. */
	private static void publish(ExtensionContext context, List<Finding> findings) {
		if (!findings.isEmpty()) {
			context.publishReportEntry(Messages.reportEntry(findings));
		}
	}

	/**
	 * A test opted out with {@code enabled = false} inside a checked class: what it leaves is
	 * noted, so that the class's own check does not fail for it.
	 */
	private static void optedOut(ExtensionContext context, CheckConfiguration configuration) {
		if (!configuration.classes()) {
			return;
		}
		Check check = check(context, configuration);
		if (!check.source().isAvailable()) {
			return;
		}
		try {
			context.getStore(NAMESPACE).put(OptedOut.class,
					new OptedOut(check.snapshot(configuration.states())));
		}
		catch (SocketTableException e) {
			// the class check then may see this test's sockets; nothing else depends on it
		}
	}

	private static boolean parallel(ExtensionContext context) {
		return context.getConfigurationParameter("junit.jupiter.execution.parallel.enabled").map(Boolean::parseBoolean)
			.orElse(false);
	}

	/** Says once per run, when tests run in parallel, what is judged and what is not. */
	private static void noticeParallelExecution(ExtensionContext context) {
		if (!parallel(context)) {
			return;
		}
		Object first = new Object();
		if (context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("parallel-notice", key -> first) == first) {
			System.out.println(Messages.parallelNotice());
		}
	}

	private static void unsupportedPlatform(ExtensionContext context, CheckConfiguration configuration,
			SocketTableSource source) throws SocketTableException {
		if (configuration.failOnUnsupportedPlatform()) {
			throw new SocketTableException(
					Messages.unsupportedPlatform(source.describe(), UNSUPPORTED_KEY));
		}
		Store root = context.getRoot().getStore(NAMESPACE);
		Object first = new Object();
		if (root.getOrComputeIfAbsent("unsupported-platform-warning", key -> first) == first) {
			String warning = Messages.skippedOnUnsupportedPlatform(source.describe(), UNSUPPORTED_KEY);
			LOGGER.warning(warning);
			context.publishReportEntry("nolinger", warning);
		}
	}

	/**
	 * The sockets a test's check already reported, failed or tolerated: a class check that
	 * follows does not report them again. Kept for the run, as an outer class follows its nested ones.
	 */
	@SuppressWarnings("unchecked")
	private static Set<TcpSocket.Key> accounted(ExtensionContext context) {
		return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("accounted-sockets",
				key -> ConcurrentHashMap.<TcpSocket.Key>newKeySet(), Set.class);
	}

	private static CheckConcurrency concurrency(ExtensionContext context) {
		return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(CheckConcurrency.class,
				key -> new CheckConcurrency(), CheckConcurrency.class);
	}

	/** How a class-level message names the class: {@code class OrderIT}, {@code class OrderIT.Nested}. */
	static String className(ExtensionContext context) {
		String name = context.getTestClass().map(NoLingeringSocketsExtension::simpleName).orElse(context.getDisplayName());
		return "class " + name;
	}

	private static String simpleName(Class<?> type) {
		Class<?> enclosing = type.getEnclosingClass();
		return enclosing == null ? type.getSimpleName() : simpleName(enclosing) + "." + type.getSimpleName();
	}

	private static CheckConfiguration configuration(ExtensionContext context) {
		return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(CheckConfiguration.class,
				key -> CheckConfiguration.from(context::getConfigurationParameter), CheckConfiguration.class);
	}

	private static BaselineFile baselineFile(ExtensionContext context, CheckConfiguration configuration) {
		return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(BaselineFile.class,
				key -> configuration.baseline().map(file -> BaselineFile.read(file, BASELINE_KEY)).orElseGet(BaselineFile::empty),
				BaselineFile.class);
	}

	private static BaselinePorts ephemeralPorts(ExtensionContext context) {
		return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(BaselinePorts.class,
				key -> BaselinePorts.read(Path.of("/proc/sys/net/ipv4/ip_local_port_range")), BaselinePorts.class);
	}

	/** Collects this run's findings and rewrites the baseline file when the run ends (JUnit closes stored AutoCloseables). */
	private static BaselineWriter baselineWriter(ExtensionContext context, CheckConfiguration configuration) {
		return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(BaselineWriter.class,
				key -> new BaselineWriter(configuration.baseline().orElseThrow(), ephemeralPorts(context)),
				BaselineWriter.class);
	}

	private static Check check(ExtensionContext context, CheckConfiguration configuration) {
		return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Check.class,
				key -> {
					SocketTableSource source = SocketTableSources.select(configuration);
					SuiteReportRecords.lookAgainWith(source);
					// Traced, the ledger counts every open and close, so a check skips a read only when none happened.
					CheckSocketActivity activity = () -> LedgerEvents.tracing()
							? OptionalLong.of(Ledger.INSTANCE.openedOrClosed()) : OptionalLong.empty();
					// The no-read proof is kept per run, not per test: under parallel execution a
					// concurrent test's check could reuse it and miss a leak (GlobalParallelTests).
					return new Check(source, SocketTableSources.fds(source), activity,
							configuration.readAlways() || parallel(context));
				},
				Check.class);
	}

	/** The annotation nearest to the test: on the method, then its class, then enclosing classes. */
	static Optional<NoLingeringSockets> nearestAnnotation(ExtensionContext context) {
		for (Optional<ExtensionContext> current = Optional.of(context); current.isPresent(); current = current.get()
			.getParent()) {
			Optional<AnnotatedElement> element = current.get().getElement();
			if (element.isPresent()) {
				Optional<NoLingeringSockets> annotation = AnnotationSupport.findAnnotation(element.get(),
						NoLingeringSockets.class);
				if (annotation.isPresent()) {
					return annotation;
				}
			}
		}
		return Optional.empty();
	}

	static String testName(ExtensionContext context) {
		String className = context.getTestClass().map(Class::getSimpleName).orElse("");
		String method = context.getTestMethod().map(m -> m.getName() + "()").orElse(context.getDisplayName());
		String name = className.isEmpty() ? method : className + "." + method;
		String display = context.getDisplayName();
		return display.equals(method) ? name : name + " [" + display + "]";
	}

	/** {@code exclusive}: annotated, so the test holds JUnit's global lock and nothing else runs alongside. */
	private record Pending(CheckSettings settings, CheckSnapshot snapshot, boolean exclusive) {
	}

	private record OptedOut(CheckSnapshot snapshot) {
	}

	private record ClassPending(CheckSettings settings, CheckSnapshot snapshot, boolean exclusive) {
	}

	/** The findings of a {@value #BASELINE_WRITE_KEY} run, written to the baseline file at its end. */
	private static final class BaselineWriter implements AutoCloseable {

		private final Path file;
		private final BaselinePorts ephemeral;
		private final Map<String, List<BaselineFile.Key>> checked = new ConcurrentHashMap<>();

		BaselineWriter(Path file, BaselinePorts ephemeral) {
			this.file = file;
			this.ephemeral = ephemeral;
		}

		void record(String testId, List<Finding> findings) {
			this.checked.put(testId, findings.stream().map(f -> BaselineFile.key(f, this.ephemeral)).toList());
		}

		@Override
		public void close() throws IOException {
			BaselineFile.rewrite(this.file, this.checked);
			LOGGER.info(() -> "nolinger: wrote the baseline of " + this.checked.size() + " checked tests to " + this.file);
		}
	}
}
