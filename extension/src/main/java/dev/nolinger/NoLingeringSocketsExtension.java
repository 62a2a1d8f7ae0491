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
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
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
public final class NoLingeringSocketsExtension implements BeforeEachCallback, AfterEachCallback {

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

	@Override
	public void beforeEach(ExtensionContext context) throws Exception {
		CheckConfiguration configuration = configuration(context);
		if (!configuration.enabled()) {
			return;
		}
		NoLingeringSockets annotation = nearestAnnotation(context).orElse(null);
		if (annotation != null && !annotation.enabled()) {
			return;
		}
		CheckSettings settings = CheckSettings.resolve(annotation, configuration);
		Check check = check(context, configuration);
		if (!check.source().isAvailable()) {
			unsupportedPlatform(context, configuration, check.source());
			return;
		}
		CheckSnapshot snapshot;
		try {
			snapshot = check.snapshot(settings.states(), context.getUniqueId());
		}
		catch (SocketTableException e) {
			throw new SocketTableException(Messages.unreadableTable(testName(context), e), e);
		}
		context.getStore(NAMESPACE).put(Pending.class, new Pending(settings, snapshot));
		// The ledger marks what this thread opens and closes from here on as this test's.
		Ledger.INSTANCE.testStarted(context.getUniqueId());
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		Pending pending = context.getStore(NAMESPACE).remove(Pending.class, Pending.class);
		if (pending == null) {
			return;
		}
		try {
			judge(context, pending);
		}
		finally {
			Ledger.INSTANCE.testFinished();
		}
	}

	private static void judge(ExtensionContext context, Pending pending) throws SocketTableException {
		CheckConfiguration configuration = configuration(context);
		Check check = check(context, configuration);
		CheckSettings settings = pending.settings();
		String testId = context.getUniqueId();
		try {
			if (configuration.writeBaseline()) {
				List<Finding> findings = check.findingsToRecord(pending.snapshot(), settings, testId);
				baselineWriter(context, configuration).record(testId, findings);
				finish(context, settings, findings, false);
				return;
			}
			BaselineFile known = baselineFile(context, configuration);
			BaselinePorts ephemeral = ephemeralPorts(context);
			CheckVerdict verdict = check.judge(pending.snapshot(), settings,
					findings -> known.beyond(testId, findings, ephemeral), testId);
			finish(context, settings, verdict.findings(), verdict.failed());
			if (verdict.failed()) {
				boolean tracing = LedgerEvents.tracing();
				LingeringSocketsError error = new LingeringSocketsError(Messages.lingering(testName(context), ownClasses(context),
						settings.tolerance(), verdict.beyond(), verdict.inBaseline(),
						configuration.baseline().map(Path::toString).orElse(""), tracing), verdict.beyond().size());
				error.setStackTrace(errorStack(verdict.beyond(), tracing));
				throw error;
			}
		}
		catch (SocketTableException e) {
			throw new SocketTableException(Messages.unreadableTable(testName(context), e), e);
		}
	}

	/**
	 * The error's own stack: traced, where the socket the message's fix names was opened (else
	 * the first traced one), so an IDE's click lands in the code that opened it, as Netty's leak
	 * records do. Untraced, none: the frames that threw, this callback's and JUnit's, help nobody.
	 */
	private static StackTraceElement[] errorStack(List<Finding> findings, boolean tracing) {
		if (tracing) {
			List<Finding> sorted = Messages.inOrder(findings);
			List<Finding> candidates = new ArrayList<>(Messages.toFix(sorted));
			candidates.addAll(sorted);
			for (Finding finding : candidates) {
				if (finding.traced() != null && finding.traced().opened().stack() != null) {
					return LedgerFrames.forError(finding.traced().opened().stack().getStackTrace());
				}
			}
		}
		return new StackTraceElement[0];
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

	private static void finish(ExtensionContext context, CheckSettings settings, List<Finding> findings, boolean failed) {
		publish(context, findings);
		SuiteReportRecords.record(context.getUniqueId(),
				new SuiteReportRecords.TestRecord(testName(context), settings.tolerance(), failed, findings));
	}

	/** Every finding, also those within the tolerance, reaches Surefire's XML and IDEs as a report entry. */
	private static void publish(ExtensionContext context, List<Finding> findings) {
		if (!findings.isEmpty()) {
			context.publishReportEntry(Messages.reportEntry(findings));
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
					// Traced, the ledger counts every open and close, so a check skips a read only when none happened.
					CheckSocketActivity activity = () -> LedgerEvents.tracing()
							? OptionalLong.of(Ledger.INSTANCE.openedOrClosed()) : OptionalLong.empty();
					return new Check(source, SocketTableSources.fds(source), activity, configuration.readAlways());
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

	private record Pending(CheckSettings settings, CheckSnapshot snapshot) {
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
