/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Member;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
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
	 * {@code netlink} (FFM on Java 22+, JNI on 17 to 21) or {@code auto} (the default): {@value}.
	 */
	public static final String SOURCE_KEY = "nolinger.source";

	/**
	 * Configuration parameter that makes every check read the whole table, {@code true}, instead
	 * of skipping reads that cannot change the verdict, {@code false} (the default): {@value}.
	 */
	public static final String READ_ALWAYS_KEY = "nolinger.read.always";

	private static final Namespace NAMESPACE = Namespace.create(NoLingeringSocketsExtension.class);

	/**
	 * The annotation found on each method or class, kept with the class that declares it: a
	 * search of an element's annotations and their meta-annotations gives the same answer every
	 * time, and JUnit's costs more than the rest of a clean test's check while the JIT has not yet
	 * compiled it (each repetition of a {@code @RepeatedTest} searched again). A {@link ClassValue}
	 * lets the entries go with their class loader.
	 */
	private static final ClassValue<Map<AnnotatedElement, Optional<NoLingeringSockets>>> ANNOTATIONS = new ClassValue<>() {
		@Override
		protected Map<AnnotatedElement, Optional<NoLingeringSockets>> computeValue(Class<?> type) {
			return new ConcurrentHashMap<>();
		}
	};

	/** The store key of the snapshot taken before a test opted out with {@code enabled = false}. */
	private static final String OPTED_OUT = "opted-out";

	/** Creates the extension; JUnit calls this. */
	public NoLingeringSocketsExtension() {
	}

	/**
	 * Snapshots before the class's {@code @BeforeAll} methods, so that sockets its fixtures leave
	 * lingering after {@code @AfterAll} fail the class container.
	 */
	@Override
	public void beforeAll(ExtensionContext context) {
		CheckRun run;
		try {
			run = run(context);
		}
		catch (ExtensionConfigurationException e) {
			// Each test's own check reports the same error, naming the test; the class goes unchecked.
			return;
		}
		if (run.configuration().enabled()) {
			// Threads the class's fixtures start are its lineage, for the "where" of sockets they open.
			Ledger.INSTANCE.fixtureStarted(context.getUniqueId());
		}
		if (!run.configuration().enabled() || !run.configuration().classes() || JunitVersion.unsupportedJupiter().isPresent()) {
			return;
		}
		NoLingeringSockets annotation = nearestAnnotation(context).orElse(null);
		if (annotation != null && !annotation.enabled()) {
			return;
		}
		CheckClassWindow window = CheckClassWindow.open(run, target(context, className(context)), annotation);
		if (window != null) {
			context.getStore(NAMESPACE).put(CheckClassWindow.class, window);
		}
	}

	/**
	 * Judges the class after its {@code @AfterAll} methods: sockets it left lingering that no
	 * test of it (or of a nested class) already accounted for.
	 */
	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		Ledger.INSTANCE.fixtureFinished(context.getUniqueId());
		CheckClassWindow window = context.getStore(NAMESPACE).remove(CheckClassWindow.class, CheckClassWindow.class);
		if (window != null) {
			window.close();
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) throws Exception {
		CheckRun run = run(context);
		if (!run.configuration().enabled()) {
			return;
		}
		Optional<String> tooOld = JunitVersion.unsupportedJupiter();
		if (tooOld.isPresent()) {
			throw new ExtensionConfigurationException(tooOld.get());
		}
		NoLingeringSockets annotation = nearestAnnotation(context).orElse(null);
		if (annotation != null && !annotation.enabled()) {
			CheckSnapshot optedOut = run.optedOut();
			if (optedOut != null) {
				context.getStore(NAMESPACE).put(OPTED_OUT, optedOut);
			}
			return;
		}
		CheckSettings settings = run.settings(annotation);
		if (!run.check().source().isAvailable()) {
			run.unsupportedPlatform(warning -> context.publishReportEntry("nolinger", warning));
			return;
		}
		run.noticeParallelExecution();
		context.getStore(NAMESPACE).put(CheckTestWindow.class,
				CheckTestWindow.open(run, target(context, testName(context)), settings, annotation != null));
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		CheckSnapshot optedOut = context.getStore(NAMESPACE).remove(OPTED_OUT, CheckSnapshot.class);
		if (optedOut != null) {
			run(context).optedOutEnded(optedOut);
			return;
		}
		CheckTestWindow window = context.getStore(NAMESPACE).remove(CheckTestWindow.class, CheckTestWindow.class);
		if (window != null) {
			window.close();
		}
	}

	private static CheckRun run(ExtensionContext context) {
		return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(CheckRun.class,
				key -> new CheckRun(CheckConfiguration.from(context::getConfigurationParameter), parallel(context)),
				CheckRun.class);
	}

	private static boolean parallel(ExtensionContext context) {
		return context.getConfigurationParameter("junit.jupiter.execution.parallel.enabled").map(Boolean::parseBoolean)
			.orElse(false);
	}

	private static CheckTarget target(ExtensionContext context, String name) {
		return new CheckTarget(context.getUniqueId(), name, CheckTarget.ownClasses(context.getTestClass().orElse(null)),
				context::publishReportEntry);
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

	/** The annotation nearest to the test: on the method, then its class, then enclosing classes. */
	static Optional<NoLingeringSockets> nearestAnnotation(ExtensionContext context) {
		for (Optional<ExtensionContext> current = Optional.of(context); current.isPresent(); current = current.get()
			.getParent()) {
			Optional<AnnotatedElement> element = current.get().getElement();
			if (element.isPresent()) {
				Optional<NoLingeringSockets> annotation = annotationOn(element.get());
				if (annotation.isPresent()) {
					return annotation;
				}
			}
		}
		return Optional.empty();
	}

	private static Optional<NoLingeringSockets> annotationOn(AnnotatedElement element) {
		Class<?> owner = element instanceof Class<?> type ? type
				: element instanceof Member member ? member.getDeclaringClass() : null;
		if (owner == null) {
			return AnnotationSupport.findAnnotation(element, NoLingeringSockets.class);
		}
		return ANNOTATIONS.get(owner)
			.computeIfAbsent(element, found -> AnnotationSupport.findAnnotation(found, NoLingeringSockets.class));
	}

	static String testName(ExtensionContext context) {
		String className = context.getTestClass().map(Class::getSimpleName).orElse("");
		String method = context.getTestMethod().map(m -> m.getName() + "()").orElse(context.getDisplayName());
		String name = className.isEmpty() ? method : className + "." + method;
		String display = context.getDisplayName();
		return display.equals(method) ? name : name + " [" + display + "]";
	}
}
