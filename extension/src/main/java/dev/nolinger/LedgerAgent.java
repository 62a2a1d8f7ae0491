/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The Java agent: {@code -javaagent:nolinger-junit.jar} makes the JDK's socket classes report to
 * the ledger. Whatever goes wrong here turns tracing off with one line on standard error and
 * leaves the JVM and its sockets as they were; the socket table check works without it.
 *
 * <p>This class must not refer to {@link LedgerBridge}: verifying it could load the bridge through
 * the application class loader before the bootstrap copy exists. {@link LedgerAgentSink} does.
 */
final class LedgerAgent {

	/** The classes the bootstrap loader gets, interface first: the bridge and nothing else. */
	static final List<String> BRIDGE_CLASSES = List.of("dev/nolinger/LedgerBridge$Sink.class",
			"dev/nolinger/LedgerBridge.class");

	private static final String DEFINER_CLASS = "dev/nolinger/LedgerAgentDefiner.class";

	private LedgerAgent() {
	}

	/** Entry point for {@code -javaagent}. Never throws: a failing premain stops the JVM. */
	public static void premain(@org.jspecify.annotations.Nullable String arguments, Instrumentation instrumentation) {
		try {
			install(instrumentation).ifPresent(LedgerAgent::warn);
		}
		catch (Throwable failure) {
			warn("the agent failed to start (" + failure + ")");
		}
	}

	/** Installs the hooks, or says why not. */
	static Optional<String> install(Instrumentation instrumentation) throws Exception {
		if (!instrumentation.isRetransformClassesSupported()) {
			return Optional.of("this JVM cannot retransform classes");
		}
		Optional<String> missing = LedgerHooks.missing();
		if (missing.isPresent()) {
			return Optional.of("it lacks " + missing.get());
		}
		Module bridge = bootstrapBridge(instrumentation);
		// java.base reads the bridge so its hooks can call it, and opens sun.nio.ch to the bridge
		// alone (not to the application) so it can read addresses as the JDK does.
		instrumentation.redefineModule(Object.class.getModule(), Set.of(bridge), Map.of("sun.nio.ch", Set.of(bridge)),
				Map.of("sun.nio.ch", Set.of(bridge)), Set.of(), Map.of());
		LedgerHooks hooks = new LedgerHooks();
		List<Class<?>> targets = new ArrayList<>();
		for (String target : LedgerHooks.TARGETS) {
			targets.add(Class.forName(target.replace('/', '.'), false, null));
		}
		// The bridge must dispatch before any hook can run.
		LedgerAgentSink.start();
		instrumentation.addTransformer(hooks, true);
		try {
			instrumentation.retransformClasses(targets.toArray(Class<?>[]::new));
			for (String target : LedgerHooks.TARGETS) {
				if (!hooks.applied(target).equals(LedgerHooks.expected(target))) {
					throw new IllegalStateException(hooks.failure(target)
						.map(Throwable::toString)
						.orElse("hooks missing in " + target.replace('/', '.')));
				}
			}
		}
		catch (Throwable failure) {
			instrumentation.removeTransformer(hooks);
			LedgerAgentSink.stop();
			// Back to the JDK's own bytes; the classes cannot be left half hooked.
			instrumentation.retransformClasses(targets.toArray(Class<?>[]::new));
			return Optional.of("its socket classes could not be hooked (" + failure + ")");
		}
		LedgerEvents.startTracing();
		return Optional.empty();
	}

	/** Defines the bridge in the bootstrap class loader, without touching the bootstrap class path. */
	@SuppressWarnings("unchecked")
	private static Module bootstrapBridge(Instrumentation instrumentation) throws Exception {
		Isolated isolated = new Isolated(LedgerAgent.class.getClassLoader());
		Class<?> definerType = isolated.define(LedgerAgentDefiner.class.getName(), bytes(DEFINER_CLASS));
		instrumentation.redefineModule(Object.class.getModule(), Set.of(),
				Map.of("jdk.internal.misc", Set.of(isolated.getUnnamedModule())), Map.of(), Set.of(), Map.of());
		BiFunction<String, byte[], Class<?>> definer = (BiFunction<String, byte[], Class<?>>) definerType
			.getConstructor()
			.newInstance();
		Class<?> bridge = null;
		for (String name : BRIDGE_CLASSES) {
			bridge = definer.apply(name.replace('/', '.').substring(0, name.length() - ".class".length()), bytes(name));
		}
		if (bridge == null || bridge.getClassLoader() != null) {
			throw new IllegalStateException("the bridge is not in the bootstrap class loader");
		}
		return bridge.getModule();
	}

	private static byte[] bytes(String resource) throws IOException {
		try (InputStream in = LedgerAgent.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IOException("the agent jar has no " + resource);
			}
			return in.readAllBytes();
		}
	}

	/** A class loader of its own, so that its unnamed module is the definer's alone. */
	private static final class Isolated extends ClassLoader {

		Isolated(ClassLoader parent) {
			super("nolinger-agent", parent);
		}

		Class<?> define(String name, byte[] bytes) {
			return defineClass(name, bytes, 0, bytes.length);
		}
	}

	static void warn(String reason) {
		System.err.println("nolinger: socket tracing is off on Java " + Runtime.version() + ": " + reason
				+ "; the socket table check goes on without it.");
	}
}
