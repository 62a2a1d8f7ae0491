/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;

/**
 * The netlink source's system calls on Java 22+, through the FFM API: downcalls into the C library
 * that capture errno. Restricted methods such as {@link Linker#downcallHandle} make the JDK print a
 * warning unless native access is enabled, so {@link #link()} refuses without it, and the check
 * reads {@code /proc} instead: a default run prints nothing. One instance serves every source of
 * the JVM ({@link SocketTableSources#calls()}), and its call buffers (the length, errno and
 * {@code statx} segments) are its own, so each call holds its lock.
 *
 * <p>The fd scan, one listing of {@code /proc/self/fd} and one {@code statx} per fd, is one
 * downcall into the library the jar carries (and so is a watched socket's state with its inode
 * check, {@code nolinger_held_state}) for x86-64 and aarch64 Linux ({@code
 * nolinger_socket_fds} in {@code src/main/c/nolinger.c}, the code the JNI library runs on Java 17 to
 * 21), looked up with {@link SymbolLookup#libraryLookup}: {@code dlopen}, not JNI, so no JNI
 * warning, and the same native access as every other downcall here. A check makes one call for the
 * whole fd table instead of one per fd, which counts while the check runs interpreted, as a short
 * Surefire fork runs it. Where the library does not load (another platform, a {@code noexec}
 * temporary directory), a CONFIG line says why, and the scan makes one {@code statx} downcall per
 * fd, with the same result.
 */
final class SocketTableFfmCalls implements SocketTableCalls {

	private static final Logger LOGGER = Logger.getLogger(NoLingeringSocketsExtension.class.getName());

	private static final int AF_NETLINK = 16;
	private static final int SOCK_RAW = 3;
	private static final int SOCK_CLOEXEC = 0x80000;
	private static final int NETLINK_SOCK_DIAG = 4;
	private static final int ENOENT = 2;
	private static final int EBADF = 9;
	private static final int EINVAL = 22;
	private static final int AT_EMPTY_PATH = 0x1000;
	private static final int STATX_TYPE = 0x1;
	private static final int STATX_INO = 0x100;
	private static final int AT_FDCWD = -100;
	private static final int S_IFMT = 0xF000;
	private static final int S_IFSOCK = 0xC000;
	/** {@code struct statx} is 256 bytes; {@code stx_mode} is at 28 and {@code stx_ino} at 32. */
	private static final int STATX_SIZE = 256;

	private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
	private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

	private final Arena arena = Arena.ofAuto();
	private final MemorySegment callState = this.arena.allocate(CALL_STATE);
	private final MemorySegment kernelAddress = this.arena.allocate(12, 4);
	private final MemorySegment length = this.arena.allocate(JAVA_INT);
	private final MemorySegment statx = this.arena.allocate(STATX_SIZE, 8);
	/** The empty path that {@code statx} with {@code AT_EMPTY_PATH} takes: the fd itself. */
	private final MemorySegment emptyPath = this.arena.allocate(1);
	private final File fdDirectory = new File("/proc/self/fd");
	/**
	 * The library the fd scan is one downcall into ({@link Library}), as {@code
	 * linux-amd64/libnolinger.so}; null where it is one {@code statx} downcall per fd.
	 */
	private final @Nullable String scanLibrary;
	/** The {@code (inode, fd)} pairs the library's scan writes, grown to the caller's array. */
	private MemorySegment scanned = this.arena.allocate(16L * 64, 8);

	/** The arrays {@link #unchanged} last copied into native memory, and the copies. */
	private long @Nullable [] heldCopied;
	private long @Nullable [] watchedCopied;
	private MemorySegment heldNative = MemorySegment.NULL;
	private MemorySegment watchedNative = MemorySegment.NULL;

	private SocketTableFfmCalls(@Nullable String scanLibrary) {
		this.scanLibrary = scanLibrary;
		this.kernelAddress.set(JAVA_SHORT, 0, (short) AF_NETLINK);
	}

	/**
	 * The downcalls, in static final fields: the JIT inlines a downcall only through a constant
	 * handle, and a check makes one per fd. Initialized on first use, which {@link #link()} makes
	 * only once native access is known to be enabled, so that no restricted method runs without it.
	 */
	private static final class Calls {

		static final MethodHandle SOCKET;
		static final MethodHandle SENDTO;
		static final MethodHandle RECV;
		static final MethodHandle CLOSE;
		static final MethodHandle GETSOCKNAME;
		static final MethodHandle GETPEERNAME;
		static final MethodHandle GETSOCKOPT;
		static final MethodHandle STATX;

		static {
			Linker linker = Linker.nativeLinker();
			SymbolLookup libc = linker.defaultLookup();
			Linker.Option errno = Linker.Option.captureCallState("errno");
			SOCKET = downcall(linker, libc, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
			SENDTO = downcall(linker, libc, "sendto",
					FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), errno);
			RECV = downcall(linker, libc, "recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
					errno);
			CLOSE = downcall(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
			GETSOCKNAME = downcall(linker, libc, "getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
					errno);
			GETPEERNAME = downcall(linker, libc, "getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
					errno);
			GETSOCKOPT = downcall(linker, libc, "getsockopt",
					FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno);
			STATX = downcall(linker, libc, "statx",
					FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), errno);
		}

		private Calls() {
		}

		@SuppressWarnings("restricted")
		private static MethodHandle downcall(Linker linker, SymbolLookup libc, String name, FunctionDescriptor shape,
				Linker.Option... options) {
			MemorySegment symbol = libc.find(name)
				.orElseThrow(() -> new IllegalStateException("the C library has no " + name + "() to call"));
			return linker.downcallHandle(symbol, shape, options);
		}
	}

	/**
	 * The fd scan in the jar's library, linked on first use, which {@link #link()} makes once native
	 * access is known to be enabled; null where the library did not load, {@link #REFUSED} saying why.
	 */
	private static final class Library {

		static final @Nullable MethodHandle SOCKET_FDS;
		static final @Nullable MethodHandle HELD_STATE;
		static final @Nullable MethodHandle UNCHANGED;
		/** The library's platform name, as {@code linux-amd64/libnolinger.so}, where it loaded. */
		static final @Nullable String LOADED;
		static final String REFUSED;

		static {
			MethodHandle scan = null;
			MethodHandle state = null;
			MethodHandle unchanged = null;
			String loaded = null;
			String refused = "";
			try {
				String resource = SocketTableJniCalls.resourceHere();
				SymbolLookup library = libraryAt(resource);
				scan = downcall(library, resource, "nolinger_socket_fds", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
				state = downcall(library, resource, "nolinger_held_state", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
				unchanged = downcall(library, resource, "nolinger_unchanged",
						FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
				loaded = SocketTableJniCalls.platformOf(resource);
			}
			catch (SocketTableException e) {
				scan = null;
				state = null;
				unchanged = null;
				refused = e.getMessage();
			}
			SOCKET_FDS = scan;
			HELD_STATE = state;
			UNCHANGED = unchanged;
			LOADED = loaded;
			REFUSED = refused;
		}

		private Library() {
		}
	}

	/**
	 * The library at {@code resource} of the jar, looked up through FFM ({@code dlopen}, not JNI).
	 *
	 * @throws SocketTableException why it cannot be had: no such resource, a library that does not load
	 */
	@SuppressWarnings("restricted")
	static SymbolLookup libraryAt(String resource) throws SocketTableException {
		return SocketTableJniCalls.withLibraryCopy(resource, copy -> SymbolLookup.libraryLookup(copy, Arena.global()));
	}

	/** The downcall to {@code name} in {@code library}; its shape is the C function's. */
	@SuppressWarnings("restricted")
	private static MethodHandle downcall(SymbolLookup library, String resource, String name, FunctionDescriptor shape)
			throws SocketTableException {
		MemorySegment symbol = library.find(name)
			.orElseThrow(() -> new SocketTableException("the native library " + resource + " has no " + name));
		try {
			return Linker.nativeLinker().downcallHandle(symbol, shape);
		}
		catch (RuntimeException e) {
			throw new SocketTableException(name + " in " + resource + " failed to link: " + e.getMessage(), e);
		}
	}

	/**
	 * Links the C library's calls, and the fd scan in the jar's library where it loads.
	 *
	 * @throws SocketTableException naming the option that enables native access, where it is off
	 */
	static SocketTableCalls link() throws SocketTableException {
		requireNativeAccess();
		try {
			Objects.requireNonNull(Calls.STATX);
		}
		catch (LinkageError e) {
			// ExceptionInInitializerError the first time, NoClassDefFoundError after.
			Throwable cause = e.getCause() == null ? e : e.getCause();
			throw new SocketTableException("the FFM calls failed to link: " + cause.getMessage(), cause);
		}
		String loaded;
		String refused;
		try {
			loaded = Library.LOADED;
			refused = Library.REFUSED;
		}
		catch (LinkageError e) {
			loaded = null;
			refused = "its lookup failed: " + e;
		}
		if (loaded == null) {
			String why = refused;
			LOGGER.config(() -> "nolinger: the fd scan makes one statx downcall per fd, as the jar's library for it"
					+ " is unavailable: " + why);
		}
		return new SocketTableFfmCalls(loaded);
	}

	/**
	 * The same calls with the fd scan made one {@code statx} downcall per fd, as where the library
	 * does not load: what the tests compare the library's scan with.
	 */
	static SocketTableCalls linkWithoutLibrary() throws SocketTableException {
		link();
		return new SocketTableFfmCalls(null);
	}

	/**
	 * Restricted methods make the JDK print a warning unless native access is enabled for the
	 * caller's module: a default run must print none, so without it there are no FFM calls.
	 *
	 * @throws SocketTableException naming the option that enables native access for this module
	 */
	static void requireNativeAccess() throws SocketTableException {
		Module module = SocketTableFfmCalls.class.getModule();
		if (!module.isNativeAccessEnabled()) {
			throw new SocketTableException("native access is not enabled for "
					+ (module.isNamed() ? "module " + module.getName() : "the class path")
					+ "; add --enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED")
					+ " to the test JVM's options (Surefire: <argLine>, Gradle: jvmArgs) for the faster netlink source");
		}
	}

	@Override
	public String describe() {
		return this.scanLibrary == null ? "FFM" : "FFM, fd scan in " + this.scanLibrary;
	}

	@Override
	public synchronized int netlinkSocket() {
		try {
			return result((int) Calls.SOCKET.invokeExact(this.callState, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
					NETLINK_SOCK_DIAG));
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
	}

	@Override
	public synchronized int send(int fd, ByteBuffer request, int length) {
		try {
			return (int) result((long) Calls.SENDTO.invokeExact(this.callState, fd, MemorySegment.ofBuffer(request),
					(long) length, 0, this.kernelAddress, 12));
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
	}

	@Override
	public synchronized int receive(int fd, ByteBuffer buffer) {
		try {
			return (int) result((long) Calls.RECV.invokeExact(this.callState, fd, MemorySegment.ofBuffer(buffer),
					(long) buffer.capacity(), 0));
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
	}

	@Override
	public synchronized void close(int fd) {
		try {
			int ignored = (int) Calls.CLOSE.invokeExact(fd);
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
	}

	@Override
	public synchronized int address(int fd, boolean peer, ByteBuffer sockaddr) {
		this.length.set(JAVA_INT, 0, sockaddr.capacity());
		try {
			int result = peer
					? (int) Calls.GETPEERNAME.invokeExact(this.callState, fd, MemorySegment.ofBuffer(sockaddr), this.length)
					: (int) Calls.GETSOCKNAME.invokeExact(this.callState, fd, MemorySegment.ofBuffer(sockaddr), this.length);
			return result == 0 ? this.length.get(JAVA_INT, 0) : result(result);
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
	}

	@Override
	public synchronized int option(int fd, int level, int name, ByteBuffer value) {
		this.length.set(JAVA_INT, 0, value.capacity());
		try {
			int result = (int) Calls.GETSOCKOPT.invokeExact(this.callState, fd, level, name,
					MemorySegment.ofBuffer(value), this.length);
			return result == 0 ? this.length.get(JAVA_INT, 0) : result(result);
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
	}

	/**
	 * The JDK's own {@code stat} of the directory, through its JNI: a check makes this call twice
	 * per test, in forks too short for the JIT to compile the check, where an FFM downcall costs two
	 * to three times as much as the JDK's call (9 to 16 µs against 5 to 8 µs each, measured in a
	 * fresh JVM on Java 25). 0 where the call fails, which gives up what the count serves.
	 */
	@Override
	public long openFds() {
		return this.fdDirectory.length();
	}

	@Override
	public synchronized long socketInode(int fd) {
		try {
			int result = (int) Calls.STATX.invokeExact(this.callState, fd, this.emptyPath, AT_EMPTY_PATH,
					STATX_TYPE | STATX_INO, this.statx);
			if (result != 0) {
				return result(result);
			}
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
		return (this.statx.get(JAVA_SHORT, 28) & S_IFMT) == S_IFSOCK ? this.statx.get(JAVA_LONG, 32) : 0;
	}

	@Override
	public synchronized int socketFds(long[] pairs) {
		// Library is touched only where it loaded: see link().
		MethodHandle scan = this.scanLibrary == null ? null : Library.SOCKET_FDS;
		if (scan == null) {
			return socketFdsOneByOne(pairs);
		}
		int capacity = pairs.length / 2;
		if (this.scanned.byteSize() < 16L * capacity) {
			this.scanned = this.arena.allocate(16L * capacity, 8);
		}
		int count;
		try {
			count = (int) scan.invokeExact(this.scanned, capacity);
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
		if (count > 0) {
			MemorySegment.copy(this.scanned, JAVA_LONG, 0, pairs, 0, 2 * Math.min(count, capacity));
		}
		return count;
	}

	@Override
	public synchronized int heldState(int fd, long inode, ByteBuffer tcpInfo) {
		MethodHandle state = this.scanLibrary == null ? null : Library.HELD_STATE;
		if (state == null) {
			return SocketTableCalls.super.heldState(fd, inode, tcpInfo);
		}
		try {
			return (int) state.invokeExact(fd, inode);
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
	}

	/**
	 * One downcall for the whole read, where the library loaded. The arrays are copied into native
	 * memory only when the caller passes other ones than last time: a proof's arrays do not change.
	 */
	@Override
	public synchronized int unchanged(long[] held, long[] watched) {
		MethodHandle unchanged = this.scanLibrary == null ? null : Library.UNCHANGED;
		if (unchanged == null) {
			return SocketTableCalls.super.unchanged(held, watched);
		}
		if (held != this.heldCopied) {
			this.heldNative = copy(held, this.heldNative);
			this.heldCopied = held;
		}
		if (watched != this.watchedCopied) {
			this.watchedNative = copy(watched, this.watchedNative);
			this.watchedCopied = watched;
		}
		try {
			return (int) unchanged.invokeExact(this.heldNative, held.length, this.watchedNative, watched.length / 2);
		}
		catch (Throwable e) {
			throw rethrow(e);
		}
	}

	/**
	 * {@code values} in {@code into}, or in a larger segment where they don't fit: this arena frees
	 * nothing until the calls go, so a segment is replaced only by one twice as large.
	 */
	private MemorySegment copy(long[] values, MemorySegment into) {
		MemorySegment copy = into;
		if (copy.byteSize() < 8L * values.length) {
			copy = this.arena.allocate(8L * Math.max(16, Integer.highestOneBit(values.length) * 2), 8);
		}
		MemorySegment.copy(values, 0, copy, JAVA_LONG, 0, values.length);
		return copy;
	}

	/**
	 * The names in {@code /proc/self/fd}, then one {@code statx} per fd. A name that is no number
	 * cannot be in that directory; it is reported as EINVAL.
	 */
	private int socketFdsOneByOne(long[] pairs) {
		String[] names = this.fdDirectory.list();
		if (names == null) {
			return -ENOENT;
		}
		int count = 0;
		for (String name : names) {
			int fd;
			try {
				fd = Integer.parseInt(name);
			}
			catch (NumberFormatException e) {
				return -EINVAL;
			}
			long inode = socketInode(fd);
			if (inode == -EBADF || inode == 0) {
				continue;
			}
			if (inode < 0) {
				return (int) inode;
			}
			if (2 * count + 1 < pairs.length) {
				pairs[2 * count] = inode;
				pairs[2 * count + 1] = fd;
			}
			count++;
		}
		return count;
	}

	/** A call's -1 as -errno. */
	private long result(long result) {
		return result < 0 ? -(int) ERRNO.get(this.callState, 0L) : result;
	}

	private int result(int result) {
		return result < 0 ? -(int) ERRNO.get(this.callState, 0L) : result;
	}

	/** A downcall throws nothing checked; anything else is a bug to surface as is. */
	private static RuntimeException rethrow(Throwable e) {
		if (e instanceof RuntimeException runtime) {
			throw runtime;
		}
		if (e instanceof Error error) {
			throw error;
		}
		throw new IllegalStateException(e);
	}
}
