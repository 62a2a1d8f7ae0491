/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lines captured by {@code capture-loopback-states.py} on Linux 6.18. */
class SocketTableParserTests {

	private static final String HEADER4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

	@Test
	void decodesEveryFieldOfListener() throws Exception {
		TcpSocket listener = CapturedTables.lines("loopback-states.tcp").get(4);

		assertThat(listener).isEqualTo(new TcpSocket("tcp", 4, new SocketTuple(Endpoint.ipv4(0, 2024),
				Endpoint.ipv4(0, 0)), TcpState.LISTEN, 0, 0, 0, 0, 0, 0, 0, 570));
		assertThat(listener.local().isWildcard()).isTrue();
		assertThat(listener.tuple()).hasToString("0.0.0.0:2024 -> 0.0.0.0:0");
	}

	@Test
	void decodesFinWait2MinisocketWithNoInode() throws Exception {
		// "  13: 0100007F:90F2 0100007F:D425 05 00000000:00000000 03:00001733 00000000     0        0 0 3 ..."
		TcpSocket minisocket = CapturedTables.lines("loopback-states.tcp").get(13);

		assertThat(minisocket.slot()).isEqualTo(13);
		assertThat(minisocket.state()).isEqualTo(TcpState.FIN_WAIT2);
		assertThat(minisocket.tuple()).hasToString("127.0.0.1:37106 -> 127.0.0.1:54309");
		assertThat(minisocket.timerActive()).isEqualTo(3);
		assertThat(minisocket.timerExpiresTicks()).isEqualTo(0x1733);
		assertThat(minisocket.uid()).isZero();
		assertThat(minisocket.inode()).isZero();
	}

	@Test
	void decodesTimeWaitAndCloseWait() throws Exception {
		List<TcpSocket> lines = CapturedTables.lines("loopback-states.tcp");
		TcpSocket timeWait = lines.get(7);
		TcpSocket closeWait = lines.get(10);

		assertThat(timeWait.state()).isEqualTo(TcpState.TIME_WAIT);
		assertThat(timeWait.tuple()).hasToString("127.0.0.1:38016 -> 127.0.0.1:48609");
		assertThat(timeWait.inode()).isZero();
		assertThat(closeWait.state()).isEqualTo(TcpState.CLOSE_WAIT);
		assertThat(closeWait.receiveQueue()).isEqualTo(1);
		assertThat(closeWait.inode()).isEqualTo(3027);
		assertThat(closeWait.tuple().mirror()).isEqualTo(lines.get(13).tuple());
	}

	@Test
	void decodesIpv6LoopbackAndIpv4MappedAddresses() throws Exception {
		List<TcpSocket> lines = CapturedTables.lines("loopback-states.tcp6");
		TcpSocket loopback = lines.get(16);
		TcpSocket mapped = lines.get(15);

		assertThat(loopback.tuple()).hasToString("[::1]:46192 -> [::1]:59687");
		assertThat(loopback.state()).isEqualTo(TcpState.FIN_WAIT2);
		assertThat(loopback.inode()).isEqualTo(3044);
		assertThat(loopback.local().isIpv4()).isFalse();
		// ::ffff:127.0.0.1 compares equal to 127.0.0.1 from /proc/net/tcp, so mirrors match across files.
		assertThat(mapped.local()).isEqualTo(Endpoint.ipv4(0x7F00_0001, 0xDC30));
		assertThat(mapped.tuple()).hasToString("127.0.0.1:56368 -> 127.0.0.1:54995");
	}

	@Test
	void readsEveryLineOfBothFiles() throws Exception {
		assertThat(CapturedTables.lines("loopback-states.tcp")).hasSize(14);
		assertThat(CapturedTables.lines("loopback-states.tcp6")).hasSize(26);
		assertThat(CapturedTables.table("loopback-states").sockets()).hasSize(40);
	}

	@Test
	void deduplicatesLinesRepeatedByTheKernelsEofReRead() throws Exception {
		String file = new String(CapturedTables.bytes("loopback-states.tcp"), StandardCharsets.US_ASCII);
		String body = file.substring(file.indexOf('\n') + 1);
		byte[] doubled = (file + body).getBytes(StandardCharsets.US_ASCII);
		List<TcpSocket> lines = new ArrayList<>();

		SocketTableParser.parse("tcp", doubled, doubled.length, false, lines::add);

		assertThat(lines).hasSize(28);
		assertThat(SocketTable.of(lines).sockets()).hasSize(14);
	}

	@Test
	void decodesLowerCaseHexAndEveryFieldAtItsLimit() throws Exception {
		String line = "   7: 0a0b0c0d:ffFF 0100007F:0050 01 0000000A:FFFFFFFF 02:0000abcd 0000000f 4294967295 -2147483647 9223372036854775807\n";
		byte[] data = (HEADER4 + line).getBytes(StandardCharsets.US_ASCII);
		List<TcpSocket> lines = new ArrayList<>();

		SocketTableParser.parse("tcp", data, data.length, false, lines::add);

		assertThat(lines).singleElement().satisfies(socket -> {
			assertThat(socket.slot()).isEqualTo(7);
			assertThat(socket.tuple()).hasToString("13.12.11.10:65535 -> 127.0.0.1:80");
			assertThat(socket.state()).isEqualTo(TcpState.ESTABLISHED);
			assertThat(socket.transmitQueue()).isEqualTo(10);
			assertThat(socket.receiveQueue()).isEqualTo(0xFFFF_FFFFL);
			assertThat(socket.timerActive()).isEqualTo(2);
			assertThat(socket.timerExpiresTicks()).isEqualTo(0xabcd);
			assertThat(socket.retransmits()).isEqualTo(15);
			assertThat(socket.uid()).isEqualTo(4_294_967_295L);
			assertThat(socket.unansweredProbes()).isEqualTo(-2_147_483_647L);
			assertThat(socket.inode()).isEqualTo(Long.MAX_VALUE);
		});
	}

	@Test
	void decodesEveryWordOfAnIpv6AddressAndTheNarrowestFieldsAndKeepsOnlyTheWantedStates() throws Exception {
		// 2001:db8:1234:5678:9abc:def0:fedc:ba98, each 32-bit word printed in the host's (little-endian) order
		String closing = "   3: B80D012078563412F0DEBC9A98BADCFE:01BB 00000000000000000000000001000000:A537 0B A:FF 0:0 1 1000 3 77";
		String listener = "   4: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 0:0 0:0 0 1000 0 78";
		byte[] data = (HEADER4 + closing + "\n  \n" + listener).getBytes(StandardCharsets.US_ASCII);
		List<TcpSocket> lines = new ArrayList<>();

		SocketTableParser.parse("tcp6", data, data.length, true, 1 << TcpState.CLOSING.code(), lines::add);

		assertThat(lines).as("a blank line is skipped, the listener is not wanted").singleElement().satisfies(socket -> {
			assertThat(socket.local()).isEqualTo(new Endpoint(0x20010db812345678L, 0x9abcdef0fedcba98L, 443));
			assertThat(socket.tuple()).hasToString("[2001:db8:1234:5678:9abc:def0:fedc:ba98]:443 -> [::1]:42295");
			assertThat(socket.state()).isEqualTo(TcpState.CLOSING);
			assertThat(socket.transmitQueue()).isEqualTo(10);
			assertThat(socket.receiveQueue()).isEqualTo(0xFF);
			assertThat(socket.retransmits()).isEqualTo(1);
			assertThat(socket.unansweredProbes()).isEqualTo(3);
			assertThat(socket.inode()).isEqualTo(77);
		});

		List<TcpSocket> all = new ArrayList<>();
		SocketTableParser.parse("tcp6", data, data.length, true, all::add);
		assertThat(all).as("the last line has no newline").extracting(TcpSocket::inode).containsExactly(77L, 78L);
	}

	@Test
	void acceptsHeaderOnlyTable() throws Exception {
		byte[] data = HEADER4.getBytes(StandardCharsets.US_ASCII);
		List<TcpSocket> lines = new ArrayList<>();

		SocketTableParser.parse("/proc/net/tcp", data, data.length, false, lines::add);

		assertThat(lines).isEmpty();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			   0: 0100007F:A537 00000000:0000 0C 00000000:00000000 00:00000000 00000000     0        0 3022 | unknown state 0C in column st
			   0: 0100007F:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0      | inode: expected a decimal number, found 'end of line'
			   0: 0100007F:A537                                                                              | remote address: expected 8 hex digits before ':', found 'end of line'
			   0: 0100007F-A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3022 | local address: expected ':', found '-A537'
			   0: 0100007F:A5 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3022   | local address port: expected 4 hex digits, found 'A5'
			   0: 0100007F:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000     x        0 3022 | uid: expected a decimal number, found 'x'
			   0: 0100007F:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 99999999999999999999 | inode: number too large: '99999999999999999999'
			   0: 0100007F:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000 4294967296 0 3022 | uid: number too large: '4294967296'
			   0: 0100007F:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 2147483648 3022 | timeout: number too large: '2147483648'
			  x0: 0100007F:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3022 | sl: expected a decimal number, found 'x0:'
			   0: 0100007F:A537 00000000:0000 0A0 00000000:00000000 00:00000000 00000000    0        0 3022 | st: expected 2 hex digits, found '0A0'
			   0: 0100007F:A5370 00000000:0000 0A 00000000:00000000 00:00000000 00000000    0        0 3022 | local address port: expected 4 hex digits, found 'A5370'
			   0: 0100007F:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000x       0 3022 | uid: expected a decimal number, found '1000x'
			   0: zz:A537 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3022 | local address: expected 8 hex digits before ':', found 'z'
			   0                                                                                              | sl: expected ':', found 'end of line'
			""")
	void rejectsMalformedLineNamingFileAndLine(String line, String problem) {
		byte[] data = (HEADER4 + line.strip() + "\n").getBytes(StandardCharsets.US_ASCII);

		assertThatThrownBy(() -> SocketTableParser.parse("/proc/net/tcp", data, data.length, false, s -> {
		})).isInstanceOf(SocketTableException.class)
			.hasMessage("/proc/net/tcp line 2: " + problem + System.lineSeparator() + "  the line: " + line.strip());
	}

	@Test
	void rejectsIpv4WidthInTcp6() {
		byte[] data = CapturedTables.bytes("loopback-states.tcp");

		assertThatThrownBy(() -> SocketTableParser.parse("/proc/net/tcp6", data, data.length, true, s -> {
		})).hasMessageStartingWith(
				"/proc/net/tcp6 line 2: local address: expected 32 hex digits before ':', found '0100007F'");
	}

	@Test
	void rejectsAMissingOrCutHeaderAndAnEmptyFileButTakesAHeaderOfJustSl() throws Exception {
		byte[] noHeader = "   0: 0100007F:A537 00000000:0000 0A\n".getBytes(StandardCharsets.US_ASCII);

		assertThatThrownBy(() -> SocketTableParser.parse("/proc/net/tcp", noHeader, noHeader.length, false, s -> {
		})).hasMessageStartingWith("/proc/net/tcp line 1: expected the header line, which starts with 'sl'");
		assertThatThrownBy(() -> SocketTableParser.parse("/proc/net/tcp", new byte[0], 0, false, s -> {
		})).hasMessage("/proc/net/tcp is empty; expected at least its header line");
		for (String header : new String[] { "s\n", "s", " s" }) {
			byte[] shortHeader = header.getBytes(StandardCharsets.US_ASCII);
			assertThatThrownBy(() -> SocketTableParser.parse("/proc/net/tcp", shortHeader, shortHeader.length, false, s -> {
			})).hasMessageStartingWith("/proc/net/tcp line 1: expected the header line, which starts with 'sl'");
		}
		byte[] justSl = "sl".getBytes(StandardCharsets.US_ASCII);
		List<TcpSocket> none = new ArrayList<>();
		SocketTableParser.parse("/proc/net/tcp", justSl, justSl.length, false, none::add);
		assertThat(none).as("a header of just 'sl' is a header").isEmpty();
	}

	@Test
	void quotesALineOfUpTo160CharactersWholeAndCutsALongerOne() {
		String bad = "   0: 0100007F:A537 00000000:0000 0C 00000000:00000000 00:00000000 00000000     0        0 3022 ";
		String exact = bad + "x".repeat(160 - bad.length());
		for (String line : new String[] { exact, exact + "y" }) {
			byte[] data = (HEADER4 + line + "\n").getBytes(StandardCharsets.US_ASCII);
			assertThatThrownBy(() -> SocketTableParser.parse("/proc/net/tcp", data, data.length, false, s -> {
			})).hasMessage("/proc/net/tcp line 2: unknown state 0C in column st" + System.lineSeparator() + "  the line: "
					+ exact.strip() + (line.length() > 160 ? "..." : ""));
		}
	}

	@Test
	void quotesControlCharactersVisibly() {
		byte[] data = (HEADER4 + "   0: 0100\u0001007F:A537\n").getBytes(StandardCharsets.ISO_8859_1);

		assertThatThrownBy(() -> SocketTableParser.parse("tcp", data, data.length, false, s -> {
		})).hasMessageContaining("the line: 0: 0100\\x01007F:A537");
	}
}
