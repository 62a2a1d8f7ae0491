/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.nio.ByteBuffer;

/**
 * The system calls the netlink source makes, one implementation per way of making them: the FFM
 * API on Java 22+ ({@code SocketTableFfmCalls}, in {@code META-INF/versions/22}) and a bundled JNI
 * library on Java 17 to 21 ({@link SocketTableJniCalls}). Every buffer is a direct one in the
 * platform's byte order. Every call returns its result, or {@code -errno} where the call failed;
 * none throws for a failed call, so both sides word errors the same way.
 */
interface SocketTableCalls {

	/** {@code getsockopt}'s level for TCP's options. */
	int IPPROTO_TCP = 6;

	/** The option that gives {@code struct tcp_info}, whose first byte is the state. */
	int TCP_INFO = 11;

	int EINVAL = 22;

	/** What {@link #unchanged} answers with more sockets than it marks. */
	int E2BIG = 7;

	/** What {@link #unchanged} answers where it is not one call. */
	int ENOSYS = 38;

	/** How the calls are made, for the CONFIG line that names the source. */
	String describe();

	/** {@code socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)}: the fd, or -errno. */
	int netlinkSocket();

	/** {@code sendto} the kernel's netlink address: the bytes sent, or -errno. */
	int send(int fd, ByteBuffer request, int length);

	/** {@code recv} into {@code buffer} from its start, at most its capacity: the bytes received, or -errno. */
	int receive(int fd, ByteBuffer buffer);

	void close(int fd);

	/** {@code getpeername} or {@code getsockname} into {@code sockaddr}: the address's length, or -errno. */
	int address(int fd, boolean peer, ByteBuffer sockaddr);

	/** {@code getsockopt} into {@code value}, at most its capacity: the length written, or -errno. */
	int option(int fd, int level, int name, ByteBuffer value);

	/** The inode of the socket fd {@code fd} holds, 0 when it holds a file that is no socket, or -errno. */
	long socketInode(int fd);

	/**
	 * How many fds this process has open: the size Linux 6.2 and later give {@code /proc/self/fd},
	 * from one {@code statx}; 0 on older kernels, or -errno.
	 */
	long openFds();

	/**
	 * Every socket fd of this process: writes {@code (inode, fd)} pairs into {@code pairs}, as many
	 * as fit, and returns how many there are (more than fit: call again with a larger array), or
	 * -errno. An fd closed while it is listed is left out.
	 */
	int socketFds(long[] pairs);

	/**
	 * The TCP state code of the socket fd {@code fd} holds ({@code tcpi_state} of {@code
	 * getsockopt(TCP_INFO)}), read first, then that {@code fd} still holds socket {@code inode}:
	 * the code, 0 when {@code fd} holds another inode now, or -errno. One call into native code
	 * where the platform's library is there; else two, written here.
	 *
	 * @param tcpInfo a buffer for {@code struct tcp_info}, where this is two calls
	 */
	default int heldState(int fd, long inode, ByteBuffer tcpInfo) {
		int length = option(fd, IPPROTO_TCP, TCP_INFO, tcpInfo);
		if (length < 1) {
			return length < 0 ? length : -EINVAL;
		}
		long now = socketInode(fd);
		if (now < 0) {
			return (int) now;
		}
		return now == inode ? tcpInfo.get(0) & 0xFF : 0;
	}

	/**
	 * A {@link CheckQuiet} proof's read at a check in one call into native code, where the
	 * platform's library is there and the scan is one downcall (Java 22+): whether the socket inodes
	 * this process holds are exactly {@code held} (ascending, no repeats), and each watched socket
	 * ({@code watched}: pairs of inode, one of {@code held}, and TCP state code) is still in its
	 * state, read through an fd that holds it as {@link #heldState} reads it. Answers 1 when both
	 * hold, 0 when not, -ENOSYS where this is not one call (the caller makes the calls one by one),
	 * -E2BIG with more than it can mark, or -errno where the listing failed.
	 *
	 * <p>A caller passes the same arrays again for as long as the proof holds and never changes
	 * them, so that they cross into native memory once.
	 */
	default int unchanged(long[] held, long[] watched) {
		return -ENOSYS;
	}
}
