/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * Parses the bytes of {@code /proc/net/tcp} or {@code /proc/net/tcp6} in place, without splitting
 * into strings. Format: {@code sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...}, as
 * printed by the kernel's {@code get_tcp4_sock} and {@code get_tcp6_sock}.
 */
final class SocketTableParser {

	/** The kernel prints each 32-bit address word as the host reads it, so words are byte-swapped on little-endian hosts. */
	private static final boolean SWAP_WORDS = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

	private static final int MAX_QUOTED_LINE = 160;

	private final String file;
	private final byte[] data;
	private final int length;
	private final boolean ipv6;
	private final String shortName;
	private final int wantedStates;

	private int lineNumber;
	private int lineStart;
	private int lineEnd;
	private int pos;

	/** The last address parsed, kept in fields so a line that is not wanted allocates nothing. */
	private long addressHigh;
	private long addressLow;
	private int addressPort;

	private SocketTableParser(String file, byte[] data, int length, boolean ipv6, int wantedStates) {
		this.file = file;
		this.data = data;
		this.length = length;
		this.ipv6 = ipv6;
		this.shortName = ipv6 ? "tcp6" : "tcp";
		this.wantedStates = wantedStates;
	}

	/**
	 * Parses every line after the header and hands each socket to {@code sink}.
	 *
	 * @param file the file's path, named in error messages
	 * @param ipv6 whether addresses are 32 hex digits ({@code tcp6}) rather than 8 ({@code tcp})
	 */
	static void parse(String file, byte[] data, int length, boolean ipv6, Consumer<TcpSocket> sink)
			throws SocketTableException {
		parse(file, data, length, ipv6, SocketTableSource.stateMask(SocketTableSource.ALL_STATES), sink);
	}

	/**
	 * Like {@link #parse(String, byte[], int, boolean, Consumer)}, but hands over only sockets whose
	 * state has its bit set in {@code wantedStates}. Every line is still checked, but the others
	 * allocate nothing.
	 *
	 * @param wantedStates a bitmask with bit {@link TcpState#code()} set for each wanted state
	 */
	static void parse(String file, byte[] data, int length, boolean ipv6, int wantedStates, Consumer<TcpSocket> sink)
			throws SocketTableException {
		new SocketTableParser(file, data, length, ipv6, wantedStates).run(sink);
	}

	private void run(Consumer<TcpSocket> sink) throws SocketTableException {
		if (this.length == 0) {
			throw new SocketTableException(this.file + " is empty; expected at least its header line");
		}
		int next = 0;
		while (next < this.length) {
			this.lineNumber++;
			this.lineStart = next;
			int newline = indexOfNewline(next);
			this.lineEnd = newline;
			next = newline + 1;
			this.pos = this.lineStart;
			skipSpaces();
			if (this.lineNumber == 1) {
				if (!startsWith("sl")) {
					throw error("expected the header line, which starts with 'sl'");
				}
				continue;
			}
			if (this.pos < this.lineEnd) {
				TcpSocket socket = parseLine();
				if (socket != null) {
					sink.accept(socket);
				}
			}
		}
	}

	/**
	 * The line's socket, or null when its state is not wanted. A line that is not wanted still has
	 * every column checked up to the inode, so a corrupt table fails the same way whatever is asked
	 * of it; its numbers are parsed into locals, so it allocates nothing.
	 */
	private @Nullable TcpSocket parseLine() throws SocketTableException {
		int slot = (int) decimal("sl", 0xFFFF_FFFFL);
		expect(':', "sl");
		address("local address");
		long localHigh = this.addressHigh;
		long localLow = this.addressLow;
		int localPort = this.addressPort;
		address("remote address");
		int stateCode = (int) hex("st", 2, 2);
		if (stateCode == 0 || stateCode > TcpState.CLOSING.code()) {
			throw error("unknown state %02X in column st".formatted(stateCode));
		}
		long transmitQueue = hex("tx_queue", 1, 16);
		expect(':', "tx_queue:rx_queue");
		long receiveQueue = hex("rx_queue", 1, 16);
		int timerActive = (int) hex("tr", 1, 2);
		expect(':', "tr:tm->when");
		long timerExpires = hex("tm->when", 1, 16);
		long retransmits = hex("retrnsmt", 1, 16);
		long uid = decimal("uid", 0xFFFF_FFFFL);
		long probes = signedDecimal("timeout");
		long inode = decimal("inode", Long.MAX_VALUE);
		if ((this.wantedStates & (1 << stateCode)) == 0) {
			return null;
		}
		Endpoint local = new Endpoint(localHigh, localLow, localPort);
		Endpoint remote = new Endpoint(this.addressHigh, this.addressLow, this.addressPort);
		return new TcpSocket(this.shortName, slot, new SocketTuple(local, remote),
				TcpState.fromCode(stateCode).orElseThrow(), transmitQueue, receiveQueue, timerActive, timerExpires,
				retransmits, uid, probes, inode);
	}

	/** Parses an address into {@link #addressHigh}, {@link #addressLow} and {@link #addressPort}, as {@link Endpoint} holds it. */
	private void address(String column) throws SocketTableException {
		skipSpaces();
		int digits = this.ipv6 ? 32 : 8;
		int start = this.pos;
		int end = start;
		while (end < this.lineEnd && hexValue(this.data[end]) >= 0) {
			end++;
		}
		if (end - start != digits) {
			throw error("%s: expected %d hex digits before ':', found '%s'".formatted(column, digits,
					start >= this.lineEnd ? "end of line" : text(start, Math.max(end, start + 1))));
		}
		this.pos = end;
		expect(':', column);
		this.addressPort = (int) hexDigits(column + " port", 4, 4);
		if (this.ipv6) {
			this.addressHigh = word(start) << 32 | word(start + 8);
			this.addressLow = word(start + 16) << 32 | word(start + 24);
		}
		else {
			this.addressHigh = 0;
			this.addressLow = Endpoint.V4_MAPPED_PREFIX | word(start);
		}
	}

	/** Eight hex digits as the 32-bit word in network order. */
	private long word(int start) {
		int word = 0;
		for (int i = 0; i < 8; i++) {
			word = (word << 4) | hexValue(this.data[start + i]);
		}
		return (SWAP_WORDS ? Integer.reverseBytes(word) : word) & 0xFFFF_FFFFL;
	}

	private long hex(String column, int minDigits, int maxDigits) throws SocketTableException {
		skipSpaces();
		return hexDigits(column, minDigits, maxDigits);
	}

	private long hexDigits(String column, int minDigits, int maxDigits) throws SocketTableException {
		int start = this.pos;
		long value = 0;
		while (this.pos < this.lineEnd && this.pos - start < maxDigits) {
			int digit = hexValue(this.data[this.pos]);
			if (digit < 0) {
				break;
			}
			value = (value << 4) | digit;
			this.pos++;
		}
		int count = this.pos - start;
		if (count < minDigits || (this.pos < this.lineEnd && hexValue(this.data[this.pos]) >= 0)) {
			throw error("%s: expected %s hex digits, found '%s'".formatted(column,
					minDigits == maxDigits ? String.valueOf(minDigits) : minDigits + " to " + maxDigits,
					token(start)));
		}
		return value;
	}

	private long decimal(String column, long max) throws SocketTableException {
		skipSpaces();
		int start = this.pos;
		long value = 0;
		while (this.pos < this.lineEnd && this.data[this.pos] >= '0' && this.data[this.pos] <= '9') {
			int digit = this.data[this.pos] - '0';
			if (value > (max - digit) / 10) {
				throw error("%s: number too large: '%s'".formatted(column, token(start)));
			}
			value = value * 10 + digit;
			this.pos++;
		}
		if (this.pos == start || !atFieldEnd()) {
			throw error("%s: expected a decimal number, found '%s'".formatted(column, token(start)));
		}
		return value;
	}

	private long signedDecimal(String column) throws SocketTableException {
		skipSpaces();
		if (this.pos < this.lineEnd && this.data[this.pos] == '-') {
			this.pos++;
			return -decimal(column, Integer.MAX_VALUE);
		}
		return decimal(column, Integer.MAX_VALUE);
	}

	private boolean atFieldEnd() {
		return this.pos == this.lineEnd || this.data[this.pos] == ' ' || this.data[this.pos] == ':';
	}

	private void expect(char c, String column) throws SocketTableException {
		if (this.pos >= this.lineEnd || this.data[this.pos] != c) {
			throw error("%s: expected '%c', found '%s'".formatted(column, c,
					this.pos >= this.lineEnd ? "end of line" : token(this.pos)));
		}
		this.pos++;
	}

	private void skipSpaces() {
		while (this.pos < this.lineEnd && (this.data[this.pos] == ' ' || this.data[this.pos] == '\t'
				|| this.data[this.pos] == '\r')) {
			this.pos++;
		}
	}

	private boolean startsWith(String prefix) {
		if (this.lineEnd - this.pos < prefix.length()) {
			return false;
		}
		for (int i = 0; i < prefix.length(); i++) {
			if (this.data[this.pos + i] != prefix.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	private int indexOfNewline(int from) {
		for (int i = from; i < this.length; i++) {
			if (this.data[i] == '\n') {
				return i;
			}
		}
		return this.length;
	}

	private static int hexValue(byte b) {
		if (b >= '0' && b <= '9') {
			return b - '0';
		}
		if (b >= 'A' && b <= 'F') {
			return b - 'A' + 10;
		}
		if (b >= 'a' && b <= 'f') {
			return b - 'a' + 10;
		}
		return -1;
	}

	private String token(int start) {
		int end = start;
		while (end < this.lineEnd && this.data[end] != ' ') {
			end++;
		}
		return start >= this.lineEnd ? "end of line" : text(start, Math.min(end, start + 40));
	}

	private String text(int start, int end) {
		return MessageText.printable(new String(this.data, start, Math.max(0, end - start), StandardCharsets.ISO_8859_1));
	}

	private SocketTableException error(String problem) {
		String line = text(this.lineStart, Math.min(this.lineEnd, this.lineStart + MAX_QUOTED_LINE)).strip();
		String more = this.lineEnd - this.lineStart > MAX_QUOTED_LINE ? "..." : "";
		return new SocketTableException(
				"%s line %d: %s%n  the line: %s%s".formatted(this.file, this.lineNumber, problem, line, more));
	}
}
