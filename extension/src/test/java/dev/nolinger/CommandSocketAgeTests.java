/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandSocketAgeTests {

	private static final OptionalInt SIXTY = OptionalInt.of(60);

	@Test
	void finWait2MinisocketIsTcpFinTimeoutMinusTheTimerLeft() {
		// 0x1592 ticks left of 6000, from a minisocket captured on this kernel 4.78 s after close().
		assertThat(CommandSocketAge.of(socket(TcpState.FIN_WAIT2, 3, 0x1592), SIXTY)).hasValue(4);
		assertThat(CommandSocketAge.of(socket(TcpState.FIN_WAIT2, 3, 6000), SIXTY)).hasValue(0);
		assertThat(CommandSocketAge.of(socket(TcpState.FIN_WAIT2, 3, 0), SIXTY)).hasValue(60);
		assertThat(CommandSocketAge.of(socket(TcpState.FIN_WAIT2, 3, 1000), OptionalInt.of(30))).hasValue(20);
	}

	@Test
	void timeWaitCountsDownFromSixtySeconds() {
		assertThat(CommandSocketAge.of(socket(TcpState.TIME_WAIT, 3, 1000), OptionalInt.empty())).hasValue(50);
	}

	@Test
	void unknownWithoutTheMinisocketTimer() {
		assertThat(CommandSocketAge.of(socket(TcpState.CLOSE_WAIT, 0, 0), SIXTY)).isEmpty();
		assertThat(CommandSocketAge.of(socket(TcpState.LAST_ACK, 1, 20), SIXTY)).isEmpty();
		// A half-closed FIN_WAIT2 still owned by its process runs no timer, or keepalive's.
		assertThat(CommandSocketAge.of(socket(TcpState.FIN_WAIT2, 0, 0), SIXTY)).isEmpty();
		assertThat(CommandSocketAge.of(socket(TcpState.FIN_WAIT2, 2, 500), SIXTY)).isEmpty();
	}

	@Test
	void unknownWhenTheTimerCannotHaveStartedAtTcpFinTimeout() {
		assertThat(CommandSocketAge.of(socket(TcpState.FIN_WAIT2, 3, 1000), OptionalInt.empty())).isEmpty();
		// Above 60 s the kernel runs a keepalive timer first; TCP_LINGER2 can make a socket's timer longer.
		assertThat(CommandSocketAge.of(socket(TcpState.FIN_WAIT2, 3, 1000), OptionalInt.of(120))).isEmpty();
		assertThat(CommandSocketAge.of(socket(TcpState.FIN_WAIT2, 3, 6001), SIXTY)).isEmpty();
	}

	@Test
	void readsTcpFinTimeoutUnderProcRoot(@TempDir Path proc) throws IOException {
		assertThat(CommandSocketAge.finTimeout(proc)).isEmpty();
		Path file = Files.createDirectories(proc.resolve("sys/net/ipv4")).resolve("tcp_fin_timeout");
		Files.writeString(file, "45\n");
		assertThat(CommandSocketAge.finTimeout(proc)).hasValue(45);
		Files.writeString(file, "soon\n");
		assertThat(CommandSocketAge.finTimeout(proc)).isEmpty();
	}

	@Test
	void readsThisMachinesWholeTcpFinTimeout() throws IOException {
		// Files.readString returned only "6" of "60\n" from /proc; the value must match the whole file.
		String expected;
		try (InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/tcp_fin_timeout"))) {
			expected = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
		}
		assertThat(CommandSocketAge.finTimeout(Path.of("/proc"))).hasValue(Integer.parseInt(expected));
	}

	private static TcpSocket socket(TcpState state, int timer, long ticksLeft) {
		Endpoint local = Endpoint.ipv4(0x0100007F, 50000);
		Endpoint remote = Endpoint.ipv4(0x0100007F, 8080);
		return new TcpSocket("tcp", 0, new SocketTuple(local, remote), state, 0, 0, timer, ticksLeft, 0, 0, 0, 0);
	}
}
