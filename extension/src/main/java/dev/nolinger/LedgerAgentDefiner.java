/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.function.BiFunction;

import org.apiguardian.api.API;

/**
 * Defines a class in the bootstrap class loader. The agent loads this class alone into a class
 * loader of its own and exports {@code jdk.internal.misc} to that loader's module only, so the
 * application gains no access to JDK internals. Appending a jar to the bootstrap class path
 * instead would make the JVM warn that class data sharing is off for application classes.
 */
@API(status = API.Status.INTERNAL, since = "0.1")
public final class LedgerAgentDefiner implements BiFunction<String, byte[], Class<?>> {

	@Override
	public Class<?> apply(String name, byte[] bytes) {
		try {
			Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
			Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
			Method define = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
					ClassLoader.class, ProtectionDomain.class);
			return (Class<?>) define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
		}
		catch (ReflectiveOperationException e) {
			throw new IllegalStateException("cannot define " + name + " in the bootstrap class loader", e);
		}
	}
}
