/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * The Java agent: {@code -javaagent:nolinger-junit.jar} makes the JDK's socket classes report to
 * the ledger. Whatever goes wrong here turns tracing off with one line on standard error and
 * leaves the JVM and its sockets as they were; the socket table check works without it.
 *
 * <p>This class must not refer to {@link LedgerBridge}: verifying it could load the bridge through
 * the application class loader before the bootstrap copy exists. {@link LedgerAgentSink} does.
 */
final class LedgerAgent {

	/** The classes the bootstrap loader gets: the bridge and its interface, nothing else. */
	static final List<String> BRIDGE_CLASSES = List.of("dev/nolinger/LedgerBridge.class",
			"dev/nolinger/LedgerBridge$Sink.class");

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

	/** Writes the bridge into a jar of its own, puts it on the bootstrap class path and loads it there. */
	private static Module bootstrapBridge(Instrumentation instrumentation) throws IOException, ClassNotFoundException {
		Path jar = Files.createTempFile("nolinger-bridge-", ".jar");
		jar.toFile().deleteOnExit();
		try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
			for (String name : BRIDGE_CLASSES) {
				try (InputStream in = LedgerAgent.class.getClassLoader().getResourceAsStream(name)) {
					if (in == null) {
						throw new IOException("the agent jar has no " + name);
					}
					out.putNextEntry(new JarEntry(name));
					in.transferTo(out);
					out.closeEntry();
				}
			}
		}
		instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
		Class<?> bridge = Class.forName("dev.nolinger.LedgerBridge", true, null);
		return bridge.getModule();
	}

	static void warn(String reason) {
		System.err.println("nolinger: socket tracing is off on Java " + Runtime.version() + ": " + reason
				+ "; the socket table check goes on without it.");
	}
}
