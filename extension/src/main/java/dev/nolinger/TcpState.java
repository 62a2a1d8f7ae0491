/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Optional;

import org.apiguardian.api.API;

/**
 * The states of a TCP socket as the Linux kernel numbers them in {@code /proc/net/tcp}.
 *
 * <p>The {@linkplain #code() code} is the two-digit hex value in the {@code st} column:
 * {@code 01} is {@link #ESTABLISHED}, {@code 0B} is {@link #CLOSING}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public enum TcpState {

	/** {@code 01}: the connection is open in both directions. */
	ESTABLISHED(0x01),

	/** {@code 02}: {@code connect()} sent a SYN and waits for the answer. */
	SYN_SENT(0x02),

	/** {@code 03}: a server answered a SYN and waits for the client's ACK. */
	SYN_RECV(0x03),

	/** {@code 04}: this end closed and sent FIN; the peer has not acknowledged it yet. */
	FIN_WAIT1(0x04),

	/** {@code 05}: this end closed, the peer acknowledged the FIN, and the peer has not closed yet. */
	FIN_WAIT2(0x05),

	/** {@code 06}: the close completed; the kernel keeps the 4-tuple for a while. */
	TIME_WAIT(0x06),

	/** {@code 07}: the socket is closed. */
	CLOSE(0x07),

	/** {@code 08}: the peer closed, and this end has not called {@code close()} yet. */
	CLOSE_WAIT(0x08),

	/** {@code 09}: both ends closed, the peer first; waiting for the last ACK. */
	LAST_ACK(0x09),

	/** {@code 0A}: a listening server socket. */
	LISTEN(0x0A),

	/** {@code 0B}: both ends closed at the same time. */
	CLOSING(0x0B);

	private static final TcpState[] BY_CODE = new TcpState[0x0C];

	static {
		for (TcpState state : values()) {
			BY_CODE[state.code] = state;
		}
	}

	private final int code;

	TcpState(int code) {
		this.code = code;
	}

	/**
	 * The kernel's number for this state, as printed in the {@code st} column.
	 *
	 * @return a value from {@code 0x01} to {@code 0x0B}
	 */
	public int code() {
		return this.code;
	}

	/**
	 * The state with the given kernel number.
	 *
	 * @param code the value of the {@code st} column
	 * @return the state, or empty when the kernel number is unknown
	 */
	public static Optional<TcpState> fromCode(int code) {
		return code > 0 && code < BY_CODE.length ? Optional.of(BY_CODE[code]) : Optional.empty();
	}
}
