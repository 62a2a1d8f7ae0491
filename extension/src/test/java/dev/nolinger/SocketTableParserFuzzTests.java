/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The parser either parses a line or rejects it with a {@link SocketTableException} that names
 * the file and the line: never another exception. Inputs are real captured lines, mutated, random
 * bytes, and lines printed the way the kernel prints them, which must parse back exactly. Cases
 * come from a fixed seed, so a failure names the case that reproduces it.
 */
class SocketTableParserFuzzTests {

	static final long SEED = 0x6E6F6C696E676572L;

	static final int MUTATED_CASES = 20_000;

	static final int RANDOM_CASES = 10_000;

	static final int KERNEL_LINE_CASES = 5_000;

	private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

	private static final String FILE = "/proc/net/tcp-fuzz";

	private static final List<String> CAPTURED = new ArrayList<>();

	static {
		CAPTURED.addAll(bodyLines("loopback-states.tcp"));
		CAPTURED.addAll(bodyLines("loopback-states.tcp6"));
		CAPTURED.addAll(bodyLines("history-after.tcp6"));
	}

	@Test
	void mutatedCapturedLinesParseOrFailClearly() {
		SplittableRandom random = new SplittableRandom(SEED);
		int parsed = 0;
		for (int i = 0; i < MUTATED_CASES; i++) {
			String line = mutate(CAPTURED.get(random.nextInt(CAPTURED.size())), random);
			boolean ipv6 = random.nextBoolean();
			byte[] table = (HEADER + line + "\n").getBytes(StandardCharsets.ISO_8859_1);
			parsed += parsesOrFailsClearly("mutated case " + i, table, ipv6) ? 1 : 0;
		}
		assertThat(parsed).as("some mutations keep a line valid").isBetween(1, MUTATED_CASES - 1);
	}

	@Test
	void randomBytesParseOrFailClearly() {
		SplittableRandom random = new SplittableRandom(SEED + 1);
		byte[] header = HEADER.getBytes(StandardCharsets.US_ASCII);
		for (int i = 0; i < RANDOM_CASES; i++) {
			byte[] table = Arrays.copyOf(header, header.length + random.nextInt(400));
			for (int b = header.length; b < table.length; b++) {
				// Half the cases draw from the characters the format uses, so parsing gets deep.
				table[b] = i % 2 == 0 ? (byte) random.nextInt(256) : (byte) " 0123456789ABCDEF:\n-".charAt(random.nextInt(20));
			}
			parsesOrFailsClearly("random case " + i, table, random.nextBoolean());
		}
	}

	@Test
	void linesPrintedLikeTheKernelParseBackExactly() throws Exception {
		assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected lines are computed for little-endian hosts");
		SplittableRandom random = new SplittableRandom(SEED + 2);
		for (int i = 0; i < KERNEL_LINE_CASES; i++) {
			KernelLine line = KernelLine.random(random);
			byte[] table = (HEADER + line.text() + "\n").getBytes(StandardCharsets.US_ASCII);
			List<TcpSocket> parsed = new ArrayList<>();

			SocketTableParser.parse("tcp6", table, table.length, true, parsed::add);

			assertThat(parsed).as("kernel line case %d: %s", i, line.text()).containsExactly(line.expected());
		}
	}

	private static boolean parsesOrFailsClearly(String name, byte[] table, boolean ipv6) {
		try {
			SocketTableParser.parse(FILE, table, table.length, ipv6, socket -> {
			});
			return true;
		}
		catch (SocketTableException e) {
			assertThat(e.getMessage()).as(name).startsWith(FILE + " line ");
			return false;
		}
		catch (RuntimeException e) {
			return fail("%s (ipv6 %s) threw %s on:%n%s", name, ipv6, e, new String(table, StandardCharsets.ISO_8859_1));
		}
	}

	private static String mutate(String line, SplittableRandom random) {
		int at = random.nextInt(line.length() + 1);
		char c = random.nextBoolean() ? " :-xZ0F9\t\r".charAt(random.nextInt(10)) : (char) random.nextInt(256);
		int after = Math.min(at + 1, line.length());
		return switch (random.nextInt(5)) {
			case 0 -> line.substring(0, at) + c + line.substring(after);
			case 1 -> line.substring(0, at) + line.substring(after);
			case 2 -> line.substring(0, at) + c + line.substring(at);
			case 3 -> line.substring(0, at);
			default -> line.substring(0, at) + line.substring(at, Math.min(line.length(), at + 9)) + line.substring(at);
		};
	}

	private static List<String> bodyLines(String resource) {
		String text = new String(CapturedTables.bytes(resource), StandardCharsets.US_ASCII);
		List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n")));
		lines.remove(0);
		return lines;
	}

	/** A tcp6 line as {@code get_tcp6_sock} prints it, with the socket it must parse to. */
	record KernelLine(String text, TcpSocket expected) {

		static KernelLine random(SplittableRandom random) {
			int[] words = new int[8];
			for (int i = 0; i < 8; i++) {
				words[i] = random.nextInt();
			}
			int localPort = random.nextInt(0x10000);
			int remotePort = random.nextInt(0x10000);
			TcpState state = TcpState.values()[random.nextInt(TcpState.values().length)];
			long tx = random.nextLong(0x1_0000_0000L);
			long rx = random.nextLong(0x1_0000_0000L);
			int timer = random.nextInt(5);
			long when = random.nextLong(0x1_0000_0000L);
			long retransmits = random.nextLong(0x1_0000_0000L);
			long uid = random.nextLong(0x1_0000_0000L);
			int probes = random.nextInt(100);
			long inode = random.nextLong(Long.MAX_VALUE);
			int slot = random.nextInt(1_000_000);
			HexFormat hex = HexFormat.of().withUpperCase();
			StringBuilder local = new StringBuilder();
			StringBuilder remote = new StringBuilder();
			for (int i = 0; i < 4; i++) {
				local.append(hex.toHexDigits(words[i]));
				remote.append(hex.toHexDigits(words[i + 4]));
			}
			String text = "%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d 1 0000000000000000 20 4 30 10 -1"
				.formatted(slot, local, localPort, remote, remotePort, state.code(), tx, rx, timer, when, retransmits,
						uid, probes, inode);
			TcpSocket expected = new TcpSocket("tcp6", slot, new SocketTuple(endpoint(words, 0, localPort),
					endpoint(words, 4, remotePort)), state, tx, rx, timer, when, retransmits, uid, probes, inode);
			return new KernelLine(text, expected);
		}

		/** Each printed word is the host-order view of four network-order bytes (this runs on little-endian hosts). */
		private static Endpoint endpoint(int[] words, int from, int port) {
			long[] network = new long[4];
			for (int i = 0; i < 4; i++) {
				network[i] = Integer.reverseBytes(words[from + i]) & 0xFFFF_FFFFL;
			}
			return new Endpoint(network[0] << 32 | network[1], network[2] << 32 | network[3], port);
		}
	}
}
