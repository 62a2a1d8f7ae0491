/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The netlink source's system calls on Java 17 to 21, through the small JNI library the jar carries
 * for x86-64 and aarch64 Linux ({@code src/main/c/nolinger.c}: only {@code syscall(2)}, so any glibc
 * since 2.17 loads it). Java 22+ uses the FFM API instead and never loads this library through JNI:
 * from Java 24 on, loading one prints a warning unless native access is enabled. It looks the same
 * library up with FFM's {@code SymbolLookup} ({@code dlopen}) for its fd scan, a watched socket's
 * state and a quiet check's read alone, once native access is known to be enabled ({@link
 * #withLibraryCopy} serves both).
 *
 * <p>Loading copies the library to a new file in {@code java.io.tmpdir} and deletes it once loaded
 * (the mapping stays), so two class loaders that each load nolinger get a library each, and
 * nothing is left behind. JNI on Java
 * 17 to 21 prints nothing. Where loading fails (another platform, a {@code noexec} temporary
 * directory, a C library other than glibc), {@link #load()} says why, and the check reads
 * {@code /proc} as before.
 */
final class SocketTableJniCalls implements SocketTableCalls {

	/** The newest Java that loads the library; later ones make the same calls through FFM. */
	static final int MAX_JAVA = SocketTableSources.NETLINK_MIN_JAVA - 1;

	private final String describe;

	private SocketTableJniCalls(String describe) {
		this.describe = describe;
	}

	/**
	 * Loads the library for this platform. {@link SocketTableSources#calls()} calls this once per
	 * JVM (per class loader that loads nolinger) and keeps the result.
	 *
	 * @throws SocketTableException why it cannot be loaded here
	 */
	static SocketTableCalls load() throws SocketTableException {
		int feature = Runtime.version().feature();
		if (feature > MAX_JAVA) {
			throw new SocketTableException("the JNI library is for Java 17 to " + MAX_JAVA + ", and this is Java " + feature
					+ ", which makes the same calls through the FFM API");
		}
		String resource = resourceHere();
		withLibraryCopy(resource, copy -> {
			System.load(copy.toString());
			return copy;
		});
		return new SocketTableJniCalls("JNI, " + platformOf(resource));
	}

	/** What a {@link #withLibraryCopy} loads the copy with. */
	interface LibraryLoader<T> {

		T load(Path copy);
	}

	/**
	 * Copies {@code resource}, this platform's library, out of the jar into a new file, loads that
	 * with {@code loader} ({@code System.load} here; {@code SymbolLookup.libraryLookup}, which is
	 * {@code dlopen} and not JNI, for the fd scan on Java 22+), and deletes the file, whose mapping
	 * stays.
	 *
	 * @throws SocketTableException why the library cannot be loaded here
	 */
	static <T> T withLibraryCopy(String resource, LibraryLoader<T> loader) throws SocketTableException {
		try (InputStream library = SocketTableJniCalls.class.getResourceAsStream(resource)) {
			if (library == null) {
				throw new SocketTableException("this nolinger jar has no native library " + resource);
			}
			Path copy = newCopy(library);
			try {
				return loader.load(copy.toAbsolutePath());
			}
			finally {
				Files.deleteIfExists(copy);
			}
		}
		catch (IOException e) {
			throw new SocketTableException("cannot copy the native library to " + System.getProperty("java.io.tmpdir")
					+ ": " + e, e);
		}
		catch (UnsatisfiedLinkError | RuntimeException e) {
			// UnsatisfiedLinkError from System.load, IllegalArgumentException from libraryLookup, SecurityException
			throw new SocketTableException("the native library " + resource + " did not load: " + e.getMessage(), e);
		}
	}

	/** {@code linux-amd64/libnolinger.so} of the resource's name. */
	static String platformOf(String resource) {
		return resource.substring(resource.lastIndexOf('/', resource.lastIndexOf('/') - 1) + 1);
	}

	/**
	 * A new file in {@code java.io.tmpdir} holding the library. Not {@link Files#createTempFile}:
	 * its random name costs about 70 ms of {@code SecureRandom} seeding in a fresh JVM. The name
	 * holds the pid and the time instead, and the file is created only if no file or link has that
	 * name ({@code O_EXCL}), so nobody else's file is ever loaded.
	 */
	private static Path newCopy(InputStream library) throws IOException {
		Path directory = Path.of(System.getProperty("java.io.tmpdir"));
		for (int attempt = 0;; attempt++) {
			Path copy = directory.resolve("nolinger-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".so");
			try (OutputStream out = Files.newOutputStream(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
				library.transferTo(out);
			}
			catch (FileAlreadyExistsException e) {
				if (attempt == 2) {
					throw e;
				}
				continue;
			}
			catch (IOException e) {
				Files.deleteIfExists(copy);
				throw e;
			}
			return copy;
		}
	}

	/**
	 * The library's resource name for this platform.
	 *
	 * @throws SocketTableException for a platform the jar carries no library for
	 */
	static String resourceHere() throws SocketTableException {
		return resource(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
	}

	/**
	 * The library's resource name for {@code os.name} and {@code os.arch}.
	 *
	 * @throws SocketTableException for a platform the jar carries no library for
	 */
	static String resource(String osName, String osArch) throws SocketTableException {
		String arch = osArch.toLowerCase(Locale.ROOT);
		if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
			throw new SocketTableException("the native library is for Linux, and this is " + osName);
		}
		if (arch.equals("x86_64")) {
			arch = "amd64";
		}
		if (arch.equals("arm64")) {
			arch = "aarch64";
		}
		if (!arch.equals("amd64") && !arch.equals("aarch64")) {
			throw new SocketTableException("this nolinger jar has native libraries for Linux on amd64 and aarch64, and this is "
					+ osArch);
		}
		return "/dev/nolinger/native/linux-" + arch + "/libnolinger.so";
	}

	@Override
	public String describe() {
		return this.describe;
	}

	@Override
	public int netlinkSocket() {
		return netlinkSocket0();
	}

	@Override
	public int send(int fd, ByteBuffer request, int length) {
		return send0(fd, request, length);
	}

	@Override
	public int receive(int fd, ByteBuffer buffer) {
		return receive0(fd, buffer, buffer.capacity());
	}

	@Override
	public void close(int fd) {
		close0(fd);
	}

	@Override
	public int address(int fd, boolean peer, ByteBuffer sockaddr) {
		return address0(fd, peer, sockaddr, sockaddr.capacity());
	}

	@Override
	public int option(int fd, int level, int name, ByteBuffer value) {
		return option0(fd, level, name, value, value.capacity());
	}

	@Override
	public long socketInode(int fd) {
		return inode0(fd);
	}

	@Override
	public long openFds() {
		return openFds0();
	}

	@Override
	public int socketFds(long[] pairs) {
		return socketFds0(pairs);
	}

	@Override
	public int heldState(int fd, long inode, ByteBuffer tcpInfo) {
		return heldState0(fd, inode);
	}

	private static native int netlinkSocket0();

	private static native int send0(int fd, ByteBuffer request, int length);

	private static native int receive0(int fd, ByteBuffer buffer, int capacity);

	private static native void close0(int fd);

	private static native int address0(int fd, boolean peer, ByteBuffer buffer, int capacity);

	private static native int option0(int fd, int level, int name, ByteBuffer buffer, int capacity);

	private static native long inode0(int fd);

	private static native long openFds0();

	private static native int socketFds0(long[] pairs);

	private static native int heldState0(int fd, long inode);
}
