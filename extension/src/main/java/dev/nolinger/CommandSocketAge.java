/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How long a socket has been in its state, where the kernel's timer tells.
 *
 * <p>A closed socket in FIN_WAIT2 becomes a minisocket whose timer ({@code tr} 3) starts at
 * {@code tcp_fin_timeout} and counts down; TIME_WAIT's starts at 60 s ({@code TCP_TIMEWAIT_LEN}).
 * The age is the start minus what is left. {@code tm->when} is in clock ticks of
 * {@code USER_HZ}, which is 100 on every architecture Java runs on here (x86-64, arm64; see
 * {@code getconf CLK_TCK}); Java cannot ask sysconf, so that is assumed.
 *
 * <p>No other state carries a timer that started when the state began, so their age is unknown.
 * The estimate also assumes the socket kept the system's {@code tcp_fin_timeout} (no
 * {@code TCP_LINGER2}); a timer left longer than its start reveals that, and gives no age.
 */
final class CommandSocketAge {

	static final int USER_HZ = 100;

	/** The kernel's {@code TCP_TIMEWAIT_LEN}, in seconds. */
	static final int TIME_WAIT_SECONDS = 60;

	/** The timer a minisocket (FIN_WAIT2 or TIME_WAIT after close) runs. */
	private static final int TIME_WAIT_TIMER = 3;

	private CommandSocketAge() {
	}

	/**
	 * Reads {@code PROC/sys/net/ipv4/tcp_fin_timeout}, in seconds; empty when it cannot be read.
	 */
	static OptionalInt finTimeout(Path procRoot) {
		try {
			String text = ProcFiles.readString(procRoot.resolve("sys/net/ipv4/tcp_fin_timeout")).strip();
			int seconds = Integer.parseInt(text);
			return seconds > 0 ? OptionalInt.of(seconds) : OptionalInt.empty();
		}
		catch (IOException | NumberFormatException e) {
			return OptionalInt.empty();
		}
	}

	/**
	 * The socket's age in whole seconds, or empty when unknown.
	 *
	 * @param finTimeoutSeconds the system's {@code tcp_fin_timeout}, when known
	 */
	static OptionalLong of(TcpSocket socket, OptionalInt finTimeoutSeconds) {
		if (socket.timerActive() != TIME_WAIT_TIMER) {
			return OptionalLong.empty();
		}
		long startTicks;
		if (socket.state() == TcpState.TIME_WAIT) {
			startTicks = TIME_WAIT_SECONDS * (long) USER_HZ;
		}
		else if (socket.state() == TcpState.FIN_WAIT2 && finTimeoutSeconds.isPresent()
				// Above TCP_TIMEWAIT_LEN the kernel first runs a keepalive timer on the full
				// socket and starts the minisocket later with what remains, so the start is unknown.
				&& finTimeoutSeconds.getAsInt() <= TIME_WAIT_SECONDS) {
			startTicks = finTimeoutSeconds.getAsInt() * (long) USER_HZ;
		}
		else {
			return OptionalLong.empty();
		}
		long left = socket.timerExpiresTicks();
		if (left > startTicks) {
			return OptionalLong.empty();
		}
		return OptionalLong.of((startTicks - left) / USER_HZ);
	}
}
