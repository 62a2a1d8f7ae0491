/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 *
 * The native calls of the netlink source on Java 17 to 21, where the FFM API is not final: the
 * natives of dev.nolinger.SocketTableJniCalls. Each is one system call, or, for socketFds, one
 * listing of /proc/self/fd with one statx per entry, so a check crosses into C once for the whole
 * fd table. Every call returns a result or -errno and never throws: the Java side words the errors.
 *
 * Java 22+ loads no JNI library. It makes its system calls through FFM downcalls into the C
 * library, except the fd scan, which it calls here (nolinger_socket_fds) through one FFM downcall,
 * having looked this library up with SymbolLookup.libraryLookup, which is dlopen and not JNI.
 *
 * Only syscall(2) and no other C library function is called, so the library links against the oldest
 * symbol version glibc has for it and loads on any glibc the JDK itself runs on.
 */
#include <jni.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/stat.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 02000000
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef NETLINK_SOCK_DIAG
#define NETLINK_SOCK_DIAG 4
#endif
#ifndef IPPROTO_TCP
#define IPPROTO_TCP 6
#endif
#define NOLINGER_TCP_INFO 11

#define RESULT(call) ((call) < 0 ? -errno : (call))

/* What getdents64 writes; glibc declares it only with _GNU_SOURCE and from 2.30 on. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long sys_close(int fd) {
	return syscall(SYS_close, fd);
}

JNIEXPORT jint JNICALL Java_dev_nolinger_SocketTableJniCalls_netlinkSocket0(JNIEnv *env, jclass type) {
	long fd = syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	return (jint) RESULT(fd);
}

JNIEXPORT jint JNICALL Java_dev_nolinger_SocketTableJniCalls_send0(JNIEnv *env, jclass type, jint fd, jobject request,
		jint length) {
	void *data = (*env)->GetDirectBufferAddress(env, request);
	struct sockaddr_nl kernel;
	if (data == NULL) {
		return -EFAULT;
	}
	memset(&kernel, 0, sizeof kernel);
	kernel.nl_family = AF_NETLINK;
	long sent = syscall(SYS_sendto, fd, data, (size_t) length, 0, &kernel, sizeof kernel);
	return (jint) RESULT(sent);
}

JNIEXPORT jint JNICALL Java_dev_nolinger_SocketTableJniCalls_receive0(JNIEnv *env, jclass type, jint fd, jobject buffer,
		jint capacity) {
	void *data = (*env)->GetDirectBufferAddress(env, buffer);
	if (data == NULL) {
		return -EFAULT;
	}
	long received = syscall(SYS_recvfrom, fd, data, (size_t) capacity, 0, NULL, NULL);
	return (jint) RESULT(received);
}

JNIEXPORT void JNICALL Java_dev_nolinger_SocketTableJniCalls_close0(JNIEnv *env, jclass type, jint fd) {
	sys_close(fd);
}

JNIEXPORT jint JNICALL Java_dev_nolinger_SocketTableJniCalls_address0(JNIEnv *env, jclass type, jint fd, jboolean peer,
		jobject buffer, jint capacity) {
	void *data = (*env)->GetDirectBufferAddress(env, buffer);
	socklen_t length = (socklen_t) capacity;
	if (data == NULL) {
		return -EFAULT;
	}
	long result = syscall(peer ? SYS_getpeername : SYS_getsockname, fd, data, &length);
	return result < 0 ? -errno : (jint) length;
}

JNIEXPORT jint JNICALL Java_dev_nolinger_SocketTableJniCalls_option0(JNIEnv *env, jclass type, jint fd, jint level,
		jint name, jobject buffer, jint capacity) {
	void *data = (*env)->GetDirectBufferAddress(env, buffer);
	socklen_t length = (socklen_t) capacity;
	if (data == NULL) {
		return -EFAULT;
	}
	long result = syscall(SYS_getsockopt, fd, level, name, data, &length);
	return result < 0 ? -errno : (jint) length;
}

/* The socket inode an fd holds: > 0; 0 when it holds something else; -errno when statx fails. */
static long long socket_inode(int fd) {
	struct statx info;
	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO, &info) < 0) {
		return -errno;
	}
	return (info.stx_mode & S_IFMT) == S_IFSOCK ? (long long) info.stx_ino : 0;
}

JNIEXPORT jlong JNICALL Java_dev_nolinger_SocketTableJniCalls_inode0(JNIEnv *env, jclass type, jint fd) {
	return (jlong) socket_inode(fd);
}

/*
 * The state of the TCP socket fd holds (tcpi_state, 1 to 12, the first byte of struct tcp_info),
 * read first, then that fd still holds socket inode, so that a socket that took the fd over in
 * between is caught: the state, 0 when fd holds another inode now, or -errno.
 */
static long held_state(int fd, long long inode) {
	unsigned char info[256];
	socklen_t length = sizeof info;
	if (syscall(SYS_getsockopt, fd, IPPROTO_TCP, NOLINGER_TCP_INFO, info, &length) < 0) {
		return -errno;
	}
	if (length < 1) {
		return -EINVAL;
	}
	long long now = socket_inode(fd);
	if (now < 0) {
		return (long) now;
	}
	return now == inode ? (long) info[0] : 0;
}

JNIEXPORT jint JNICALL Java_dev_nolinger_SocketTableJniCalls_heldState0(JNIEnv *env, jclass type, jint fd, jlong inode) {
	return (jint) held_state(fd, inode);
}

/* held_state for Java 22+, through one FFM downcall, as nolinger_socket_fds below. */
__attribute__((visibility("default"))) int32_t nolinger_held_state(int32_t fd, int64_t inode) {
	return (int32_t) held_state(fd, inode);
}

/*
 * How many fds this process has open: the size Linux 6.2 and later give /proc/self/fd (0 on
 * older kernels), or -errno.
 */
JNIEXPORT jlong JNICALL Java_dev_nolinger_SocketTableJniCalls_openFds0(JNIEnv *env, jclass type) {
	struct statx info;
	if (syscall(SYS_statx, AT_FDCWD, "/proc/self/fd", 0, STATX_SIZE, &info) < 0) {
		return -errno;
	}
	return (jlong) info.stx_size;
}

/* Where a scan's (inode, fd) pairs go: emit is called with each socket fd, in order, with its index. */
struct scan_sink {
	void (*emit)(struct scan_sink *sink, long long inode, long fd, long index);
};

/*
 * Lists /proc/self/fd and hands each socket fd, with its inode, to sink. Returns how many socket
 * fds there are, or -errno. An fd closed between the listing and its statx (EBADF) is skipped.
 */
static long scan_socket_fds(struct scan_sink *sink) {
	char entries[8192];
	long count = 0;
	long directory = syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (directory < 0) {
		return -errno;
	}
	for (;;) {
		long length = syscall(SYS_getdents64, (int) directory, entries, sizeof entries);
		if (length < 0) {
			int error = errno;
			sys_close((int) directory);
			return -error;
		}
		if (length == 0) {
			break;
		}
		for (long at = 0; at < length;) {
			struct linux_dirent64 *entry = (struct linux_dirent64 *) (entries + at);
			at += entry->d_reclen;
			const char *name = entry->d_name;
			if (name[0] < '0' || name[0] > '9') {
				continue;
			}
			long fd = 0;
			for (; *name >= '0' && *name <= '9'; name++) {
				fd = fd * 10 + (*name - '0');
			}
			if (fd == directory) {
				continue;
			}
			long long inode = socket_inode((int) fd);
			if (inode == -EBADF || inode == 0) {
				continue;
			}
			if (inode < 0) {
				sys_close((int) directory);
				return (long) inode;
			}
			sink->emit(sink, inode, fd, count);
			count++;
		}
	}
	sys_close((int) directory);
	return count;
}

/* The JNI sink: pairs go into a Java long[] in batches of 256, as many as it holds. */
struct jni_sink {
	struct scan_sink sink;
	JNIEnv *env;
	jlongArray pairs;
	jsize capacity;
	jsize buffered;
	jsize stored;
	jlong found[2 * 256];
};

static void jni_flush(struct jni_sink *jni) {
	if (jni->buffered > 0) {
		(*jni->env)->SetLongArrayRegion(jni->env, jni->pairs, 2 * jni->stored, 2 * jni->buffered, jni->found);
		jni->stored += jni->buffered;
		jni->buffered = 0;
	}
}

static void jni_emit(struct scan_sink *sink, long long inode, long fd, long index) {
	struct jni_sink *jni = (struct jni_sink *) sink;
	if (index >= jni->capacity) {
		return;
	}
	jni->found[2 * jni->buffered] = (jlong) inode;
	jni->found[2 * jni->buffered + 1] = (jlong) fd;
	jni->buffered++;
	if (jni->buffered == 256) {
		jni_flush(jni);
	}
}

/*
 * Writes (inode, fd) pairs of the socket fds into pairs, as many as fit. Returns how many socket
 * fds there are (more than fit tells the caller to retry with a larger array), or -errno.
 */
JNIEXPORT jint JNICALL Java_dev_nolinger_SocketTableJniCalls_socketFds0(JNIEnv *env, jclass type, jlongArray pairs) {
	struct jni_sink jni;
	jni.sink.emit = jni_emit;
	jni.env = env;
	jni.pairs = pairs;
	jni.capacity = (*env)->GetArrayLength(env, pairs) / 2;
	jni.buffered = 0;
	jni.stored = 0;
	long count = scan_socket_fds(&jni.sink);
	if (count >= 0) {
		jni_flush(&jni);
	}
	return (jint) count;
}

/* The C sink: pairs go straight into a native array of capacity pairs. */
struct array_sink {
	struct scan_sink sink;
	int64_t *pairs;
	long capacity;
};

static void array_emit(struct scan_sink *sink, long long inode, long fd, long index) {
	struct array_sink *array = (struct array_sink *) sink;
	if (index < array->capacity) {
		array->pairs[2 * index] = (int64_t) inode;
		array->pairs[2 * index + 1] = (int64_t) fd;
	}
}

/*
 * The same scan for Java 22+, which calls it through one FFM downcall, having looked the library up
 * with SymbolLookup (dlopen, not JNI): pairs is a native array of capacity (inode, fd) pairs.
 * Returns what socketFds0 returns.
 */
__attribute__((visibility("default"))) int32_t nolinger_socket_fds(int64_t *pairs, int32_t capacity) {
	struct array_sink array;
	array.sink.emit = array_emit;
	array.pairs = pairs;
	array.capacity = capacity;
	return (int32_t) scan_socket_fds(&array.sink);
}

/* Up to how many held inodes and watched sockets nolinger_unchanged marks; with more, it answers -E2BIG. */
#define UNCHANGED_MAX_HELD 4096
#define UNCHANGED_MAX_WATCHED 64

/*
 * The unchanged sink: each socket fd the scan finds is looked up among the held inodes (sorted, so
 * by binary search) and marked; one that is not among them, or a watched socket that left its
 * state, makes the answer "changed".
 */
struct unchanged_sink {
	struct scan_sink sink;
	const int64_t *held;
	long held_count;
	const int64_t *watched;
	long watched_count;
	int changed;
	uint64_t held_seen[UNCHANGED_MAX_HELD / 64];
	uint64_t watched_seen;
};

static long find_held(const int64_t *held, long count, long long inode) {
	long low = 0;
	long high = count - 1;
	while (low <= high) {
		long middle = low + (high - low) / 2;
		if (held[middle] < inode) {
			low = middle + 1;
		}
		else if (held[middle] > inode) {
			high = middle - 1;
		}
		else {
			return middle;
		}
	}
	return -1;
}

static void unchanged_emit(struct scan_sink *sink, long long inode, long fd, long index) {
	struct unchanged_sink *unchanged = (struct unchanged_sink *) sink;
	if (unchanged->changed) {
		return;
	}
	long at = find_held(unchanged->held, unchanged->held_count, inode);
	if (at < 0) {
		unchanged->changed = 1;
		return;
	}
	unchanged->held_seen[at / 64] |= 1ULL << (at % 64);
	for (long i = 0; i < unchanged->watched_count; i++) {
		if (unchanged->watched[2 * i] != inode || (unchanged->watched_seen & (1ULL << i)) != 0) {
			continue;
		}
		/* Read through the fd, then checked to still hold inode: as a watched socket is read on its own. */
		if (held_state((int) fd, inode) != (long) unchanged->watched[2 * i + 1]) {
			unchanged->changed = 1;
			return;
		}
		unchanged->watched_seen |= 1ULL << i;
	}
}

/*
 * A quiet check's whole read for Java 22+, in one FFM downcall, where a scan followed by one call
 * per watched socket would be several: lists /proc/self/fd as nolinger_socket_fds does, and answers
 * whether the socket inodes this process holds are exactly held[0..held_count) (ascending, no
 * repeats), and whether each watched socket (watched: watched_count pairs of inode and TCP state
 * code, each inode among held) still is in its state, read through an fd that holds it, that fd
 * then still holding it (held_state). Returns 1 when both hold, 0 when not, -E2BIG with more held
 * inodes or watched sockets than it marks, or -errno where the listing fails.
 */
__attribute__((visibility("default"))) int32_t nolinger_unchanged(const int64_t *held, int32_t held_count,
		const int64_t *watched, int32_t watched_count) {
	if (held_count < 0 || held_count > UNCHANGED_MAX_HELD || watched_count < 0
			|| watched_count > UNCHANGED_MAX_WATCHED) {
		return -E2BIG;
	}
	struct unchanged_sink unchanged;
	/* A loop, not memset: the build keeps gcc from turning it into a call into the C library. */
	for (long i = 0; i < UNCHANGED_MAX_HELD / 64; i++) {
		unchanged.held_seen[i] = 0;
	}
	unchanged.watched_seen = 0;
	unchanged.changed = 0;
	unchanged.sink.emit = unchanged_emit;
	unchanged.held = held;
	unchanged.held_count = held_count;
	unchanged.watched = watched;
	unchanged.watched_count = watched_count;
	long count = scan_socket_fds(&unchanged.sink);
	if (count < 0) {
		return (int32_t) count;
	}
	if (unchanged.changed) {
		return 0;
	}
	for (long i = 0; i < held_count; i++) {
		if ((unchanged.held_seen[i / 64] & (1ULL << (i % 64))) == 0) {
			return 0;
		}
	}
	uint64_t all_watched = watched_count == 64 ? ~0ULL : (1ULL << watched_count) - 1;
	return unchanged.watched_seen == all_watched ? 1 : 0;
}
