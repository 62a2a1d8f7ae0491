/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The hooks the agent adds to the JDK's socket classes and to {@code Thread.start}, and the check
 * that each class still has the shape they need. Every hook is straight-line code (loads of {@code this}'s fields or of an
 * argument never reassigned, or a duplicate of the value just returned, then one static call into
 * {@link LedgerBridge}) inserted at a method's entry, before its normal returns, or right after
 * its one call to a given method: it adds no branch, no local, no handler and no member, and
 * leaves the operand stack as it found it, so the existing stack map frames stay valid and
 * retransformation allows it.
 */
final class LedgerHooks implements ClassFileTransformer {

	static final String NIO_SOCKET = "sun/nio/ch/NioSocketImpl";
	static final String CHANNEL = "sun/nio/ch/SocketChannelImpl";
	static final String SERVER_CHANNEL = "sun/nio/ch/ServerSocketChannelImpl";
	static final String THREAD = "java/lang/Thread";
	static final List<String> TARGETS = List.of(NIO_SOCKET, CHANNEL, SERVER_CHANNEL, THREAD);

	/** Test hook: {@code owner.method} to treat as missing, as on a JDK whose classes changed. */
	static final String PRETEND_MISSING_PROPERTY = "nolinger.agent.pretendMissing";

	private static final String BRIDGE = "dev/nolinger/LedgerBridge";
	private static final String FD = "Ljava/io/FileDescriptor;";
	private static final String FAMILY = "Ljava/net/ProtocolFamily;";
	private static final String CLOSER_PREFIX = "lambda$closerFor$";

	/** What one hook loads before its call: a field of {@code this}, or an argument slot. */
	private sealed interface Load {
	}

	private record ThisField(String name, String descriptor) implements Load {
	}

	private record Argument(int slot, int opcode) implements Load {
	}

	/** The value the method is about to return, duplicated: only before an object return. */
	private record ReturnValue() implements Load {
	}

	/** A field of an argument never reassigned, cast to the type that declares it. */
	private record ArgumentField(int slot, String castTo, String name, String descriptor) implements Load {
	}

	/**
	 * Where in its method a hook goes: at the entry, before each normal return, or right after
	 * the method's one call to {@code owner.name descriptor}, whose object result the hook may
	 * load ({@link CallResult}) and leaves on the stack as it found it.
	 */
	private sealed interface Place {
	}

	private record Entry() implements Place {
	}

	private record Exits() implements Place {
	}

	private record AfterCall(String owner, String name, String descriptor) implements Place {

		String key() {
			return this.owner + "." + this.name + this.descriptor;
		}
	}

	/** The object the call a hook follows has just returned, duplicated. */
	private record CallResult() implements Load {
	}

	/** One hook: where it goes, what it loads and which bridge method it calls. */
	private record Hook(String owner, String method, String descriptor, Place place, List<Load> loads,
			String bridgeMethod, String bridgeDescriptor) {

		String name() {
			return this.owner.replace('/', '.') + "." + this.method + this.descriptor;
		}
	}

	private static final String ADDRESS = "Ljava/net/InetAddress;";
	private static final String SOCKET_ADDRESS = "Ljava/net/SocketAddress;";

	private static final Place ENTRY = new Entry();
	private static final Place EXITS = new Exits();

	/**
	 * NioSocketImpl.endConnect reads the local address of a socket that has just connected
	 * (getsockname), to keep its port; the hook takes that address as it returns, beside the
	 * remote address fields beginConnect set, so a connect costs no second system call.
	 */
	private static final Place LOCAL_ADDRESS_READ = new AfterCall("sun/nio/ch/Net", "localAddress",
			"(" + FD + ")Ljava/net/InetSocketAddress;");

	// Addresses come from the fields the JDK has just set where it keeps them, or from the
	// getsockname() it has just made; another would cost a system call on every connect and accept.
	private static final List<Hook> HOOKS = List.of(
			new Hook(NIO_SOCKET, "endConnect", "(" + FD + "Z)V", LOCAL_ADDRESS_READ,
					List.of(new CallResult(), new Argument(1, Opcodes.ALOAD), new ThisField("address", ADDRESS),
							new ThisField("port", "I")),
					"socketConnected", "(Ljava/net/InetSocketAddress;" + FD + ADDRESS + "I)V"),
			new Hook(NIO_SOCKET, "accept", "(Ljava/net/SocketImpl;)V", EXITS,
					List.of(new ArgumentField(1, NIO_SOCKET, "fd", FD), new ArgumentField(1, NIO_SOCKET, "address", ADDRESS),
							new ArgumentField(1, NIO_SOCKET, "port", "I"), new ArgumentField(1, NIO_SOCKET, "localport", "I"),
							new ThisField("address", ADDRESS)),
					"socketAccepted", "(" + FD + ADDRESS + "II" + ADDRESS + ")V"),
			new Hook(NIO_SOCKET, "listen", "(I)V", EXITS, List.of(new ThisField("fd", FD)), "listening", "(" + FD + ")V"),
			new Hook(NIO_SOCKET, "close", "()V", ENTRY, List.of(new ThisField("fd", FD)), "closed", "(" + FD + ")V"),
			new Hook(CHANNEL, "endConnect", "(ZZ)V", EXITS, channelConnect(), "channelConnected",
					"(" + FD + FAMILY + "Z" + SOCKET_ADDRESS + SOCKET_ADDRESS + ")V"),
			new Hook(CHANNEL, "endFinishConnect", "(ZZ)V", EXITS, channelConnect(), "channelConnected",
					"(" + FD + FAMILY + "Z" + SOCKET_ADDRESS + SOCKET_ADDRESS + ")V"),
			new Hook(CHANNEL, "implCloseSelectableChannel", "()V", ENTRY,
					List.of(new ThisField("fd", FD), new ThisField("family", FAMILY)), "channelClosed",
					"(" + FD + FAMILY + ")V"),
			new Hook(SERVER_CHANNEL, "netBind", "(Ljava/net/SocketAddress;I)Ljava/net/SocketAddress;", EXITS,
					List.of(new ThisField("fd", FD)), "listening", "(" + FD + ")V"),
			new Hook(SERVER_CHANNEL, "finishAccept", "(" + FD + "Ljava/net/SocketAddress;)Ljava/nio/channels/SocketChannel;",
					EXITS, List.of(new ReturnValue(), new Argument(1, Opcodes.ALOAD), new ThisField("family", FAMILY)),
					"channelAccepted", "(Ljava/nio/channels/SocketChannel;" + FD + FAMILY + ")V"),
			new Hook(SERVER_CHANNEL, "implCloseSelectableChannel", "()V", ENTRY,
					List.of(new ThisField("fd", FD), new ThisField("family", FAMILY)), "channelClosed",
					"(" + FD + FAMILY + ")V"),
			// The starting thread hands its test's lineage to a thread made without inheriting it (LedgerLineage).
			new Hook(THREAD, "start", "()V", ENTRY, List.of(new Argument(0, Opcodes.ALOAD)), "threadStarting",
					"(Ljava/lang/Thread;)V"));

	private static List<Load> channelConnect() {
		return List.of(new ThisField("fd", FD), new ThisField("family", FAMILY), new Argument(2, Opcodes.ILOAD),
				new ThisField("localAddress", SOCKET_ADDRESS), new ThisField("remoteAddress", SOCKET_ADDRESS));
	}

	/**
	 * The JDK cleaner's action for a NioSocketImpl: a lambda that closes the descriptor. It runs on
	 * close(), after the close hook has reported the socket closed, and on its own when a socket
	 * dropped without close() is collected: its own bridge method lets the ledger tell the two apart.
	 */
	private static final Hook CLOSER = new Hook(NIO_SOCKET, CLOSER_PREFIX + "*", "(" + FD + ")V", ENTRY,
			List.of(new Argument(0, Opcodes.ALOAD)), "cleaned", "(" + FD + ")V");

	/** Hooks applied per class by the last transformation, so the agent can tell all went in. */
	private final Map<String, Set<String>> applied = new ConcurrentHashMap<>();

	private final Map<String, Throwable> failures = new ConcurrentHashMap<>();

	/**
	 * What is missing from this JDK for the hooks, or empty when every target has the expected
	 * shape: each method with its descriptor, each field loaded, no store into a loaded argument.
	 */
	static Optional<String> missing() throws IOException {
		// Java 13 to 17 can still put java.net.Socket on the old PlainSocketImpl (removed in 18).
		String plain = System.getProperty("jdk.net.usePlainSocketImpl");
		if (plain != null && !plain.equalsIgnoreCase("false")) {
			return Optional.of("NioSocketImpl for java.net.Socket (-Djdk.net.usePlainSocketImpl is set)");
		}
		String pretend = System.getProperty(PRETEND_MISSING_PROPERTY, "");
		for (String owner : TARGETS) {
			byte[] bytes = classBytes(owner);
			if (bytes == null) {
				return Optional.of("class " + owner.replace('/', '.'));
			}
			Shape shape = Shape.of(bytes);
			for (Hook hook : HOOKS) {
				if (!hook.owner.equals(owner)) {
					continue;
				}
				String signature = hook.method + hook.descriptor;
				if (!shape.methods.containsKey(signature) || pretend.equals(owner.replace('/', '.') + "." + hook.method)) {
					return Optional.of("method " + hook.name());
				}
				Set<Integer> stored = shape.methods.get(signature);
				if (hook.place instanceof AfterCall call
						&& shape.calls.getOrDefault(signature, List.of()).stream().filter(call.key()::equals).count() != 1) {
					return Optional.of("one call to " + call.key().replace('/', '.') + " in " + hook.name());
				}
				for (Load load : hook.loads) {
					if (load instanceof ThisField field && !shape.fields.contains(field.name + ":" + field.descriptor)
							&& !owner.equals(NIO_SOCKET)) {
						return Optional.of("field " + owner.replace('/', '.') + "." + field.name);
					}
					if (load instanceof Argument argument && stored.contains(argument.slot)
							|| load instanceof ArgumentField field && stored.contains(field.slot)) {
						return Optional.of("an argument kept unchanged in " + hook.name());
					}
				}
			}
			if (owner.equals(NIO_SOCKET) && shape.closers == 0) {
				return Optional.of("the cleaner action " + CLOSER.name());
			}
		}
		// NioSocketImpl's fields live in java.net.SocketImpl.
		for (String[] field : new String[][] { { "fd", "java.io.FileDescriptor" }, { "address", "java.net.InetAddress" },
				{ "port", "int" }, { "localport", "int" } }) {
			try {
				if (!java.net.SocketImpl.class.getDeclaredField(field[0]).getType().getName().equals(field[1])) {
					return Optional.of("field java.net.SocketImpl." + field[0]);
				}
			}
			catch (NoSuchFieldException e) {
				return Optional.of("field java.net.SocketImpl." + field[0]);
			}
		}
		return Optional.empty();
	}

	private static byte @Nullable [] classBytes(String owner) throws IOException {
		// Class files in java.base are never encapsulated, so reading them needs no access.
		try (InputStream in = Object.class.getModule().getResourceAsStream(owner + ".class")) {
			return in == null ? null : in.readAllBytes();
		}
	}

	/**
	 * The methods (with the argument slots they store into and the methods they call), fields and
	 * cleaner actions of a class.
	 */
	private record Shape(Map<String, Set<Integer>> methods, Map<String, List<String>> calls, Set<String> fields,
			int closers) {

		static Shape of(byte[] bytes) {
			Map<String, Set<Integer>> methods = new ConcurrentHashMap<>();
			Map<String, List<String>> calls = new ConcurrentHashMap<>();
			Set<String> fields = ConcurrentHashMap.newKeySet();
			int[] closers = { 0 };
			new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
				@Override
				public FieldVisitor visitField(int access, String name, String descriptor, @Nullable String signature,
						@Nullable Object value) {
					fields.add(name + ":" + descriptor);
					return null;
				}

				@Override
				public MethodVisitor visitMethod(int access, String name, String descriptor, @Nullable String signature,
						String @Nullable [] exceptions) {
					Set<Integer> stored = ConcurrentHashMap.newKeySet();
					List<String> called = new ArrayList<>();
					methods.put(name + descriptor, stored);
					calls.put(name + descriptor, called);
					if (isCloser(access, name, descriptor)) {
						closers[0]++;
					}
					return new MethodVisitor(Opcodes.ASM9) {
						@Override
						public void visitVarInsn(int opcode, int slot) {
							if (opcode >= Opcodes.ISTORE && opcode <= Opcodes.ASTORE) {
								stored.add(slot);
							}
						}

						@Override
						public void visitIincInsn(int slot, int increment) {
							stored.add(slot);
						}

						@Override
						public void visitMethodInsn(int opcode, String owner, String name, String descriptor,
								boolean isInterface) {
							called.add(owner + "." + name + descriptor);
						}
					};
				}
			}, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
			return new Shape(methods, calls, fields, closers[0]);
		}
	}

	private static boolean isCloser(int access, String name, String descriptor) {
		return (access & Opcodes.ACC_STATIC) != 0 && (access & Opcodes.ACC_SYNTHETIC) != 0 && name.startsWith(CLOSER_PREFIX)
				&& descriptor.equals(CLOSER.descriptor);
	}

	@Override
	public byte @Nullable [] transform(@Nullable Module module, @Nullable ClassLoader loader, @Nullable String className,
			@Nullable Class<?> classBeingRedefined, @Nullable ProtectionDomain protectionDomain, byte[] classfileBuffer) {
		// Hidden classes arrive without a name; List.of(...).contains(null) would throw.
		if (loader != null || className == null || !TARGETS.contains(className)) {
			return null;
		}
		try {
			return instrument(className, classfileBuffer);
		}
		catch (Throwable failure) {
			// Returning null keeps the class as it was; the agent sees the hooks missing.
			this.failures.put(className, failure);
			return null;
		}
	}

	/** Hooks applied to {@code owner} by the last transformation. */
	Set<String> applied(String owner) {
		return this.applied.getOrDefault(owner, Set.of());
	}

	Optional<Throwable> failure(String owner) {
		return Optional.ofNullable(this.failures.get(owner));
	}

	/** Every hook (the cleaner action counting once) the agent expects in {@code owner}. */
	static Set<String> expected(String owner) {
		Set<String> names = new java.util.HashSet<>();
		for (Hook hook : HOOKS) {
			if (hook.owner.equals(owner)) {
				names.add(hook.name());
			}
		}
		if (owner.equals(NIO_SOCKET)) {
			names.add(CLOSER.name());
		}
		return names;
	}

	private byte[] instrument(String owner, byte[] bytes) {
		ClassReader reader = new ClassReader(bytes);
		// COMPUTE_MAXS only: the hooks add no branch, so the frames javac wrote stay right, and
		// nothing needs loading classes to merge types (as COMPUTE_FRAMES would).
		ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
		List<String> done = new ArrayList<>();
		reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
			@Override
			public MethodVisitor visitMethod(int access, String name, String descriptor, @Nullable String signature,
					String @Nullable [] exceptions) {
				MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
				Hook hook = null;
				for (Hook candidate : HOOKS) {
					if (candidate.owner.equals(owner) && candidate.method.equals(name)
							&& candidate.descriptor.equals(descriptor)) {
						hook = candidate;
					}
				}
				if (hook == null && owner.equals(NIO_SOCKET) && isCloser(access, name, descriptor)) {
					hook = CLOSER;
				}
				if (hook == null) {
					return visitor;
				}
				return new HookVisitor(visitor, owner, hook, done);
			}
		}, 0);
		byte[] result = writer.toByteArray();
		this.applied.put(owner, Set.copyOf(done));
		return result;
	}

	private static final class HookVisitor extends MethodVisitor {

		private final String owner;
		private final Hook hook;
		/** The hooks put in so far; this one is added once it is in. */
		private final List<String> done;

		HookVisitor(MethodVisitor next, String owner, Hook hook, List<String> done) {
			super(Opcodes.ASM9, next);
			this.owner = owner;
			this.hook = hook;
			this.done = done;
		}

		@Override
		public void visitCode() {
			super.visitCode();
			if (this.hook.place instanceof Entry) {
				call();
			}
		}

		@Override
		public void visitInsn(int opcode) {
			if (this.hook.place instanceof Exits && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
				call();
			}
			super.visitInsn(opcode);
		}

		@Override
		public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
			super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
			if (this.hook.place instanceof AfterCall call && call.key().equals(owner + "." + name + descriptor)) {
				call();
			}
		}

		private void call() {
			if (!this.done.contains(this.hook.name())) {
				this.done.add(this.hook.name());
			}
			for (Load load : this.hook.loads) {
				if (load instanceof ThisField field) {
					super.visitVarInsn(Opcodes.ALOAD, 0);
					super.visitFieldInsn(Opcodes.GETFIELD, this.owner, field.name, field.descriptor);
				}
				else if (load instanceof Argument argument) {
					super.visitVarInsn(argument.opcode, argument.slot);
				}
				else if (load instanceof ReturnValue || load instanceof CallResult) {
					super.visitInsn(Opcodes.DUP);
				}
				else if (load instanceof ArgumentField field) {
					super.visitVarInsn(Opcodes.ALOAD, field.slot);
					super.visitTypeInsn(Opcodes.CHECKCAST, field.castTo);
					super.visitFieldInsn(Opcodes.GETFIELD, field.castTo, field.name, field.descriptor);
				}
			}
			super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, this.hook.bridgeMethod, this.hook.bridgeDescriptor, false);
		}
	}
}
