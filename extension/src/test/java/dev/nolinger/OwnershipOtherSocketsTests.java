/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telling this JVM's other sockets from TCP ones, on listings written the way the kernel prints
 * them. The real {@code /proc/net} is read by {@code CheckQuietTests}.
 */
class OwnershipOtherSocketsTests {

	private static final String UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path";

	private static final String UDP_HEADER = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
			+ "   uid  timeout inode ref pointer drops";

	@TempDir
	Path procNet;

	@Test
	void aUnixOrUdpSocketIsNotTcpAndAnInodeNoListingHasMayBe() throws IOException {
		write("unix", UNIX_HEADER, unix(1001), unix(1002));
		write("udp6", UDP_HEADER, udp(2001));
		OwnershipOtherSockets others = new OwnershipOtherSockets(this.procNet);

		assertThat(others.allOtherThanTcp(Set.of(1001L, 2001L))).as("one Unix, one UDP over IPv6").isTrue();
		assertThat(others.allOtherThanTcp(Set.of(1001L, 3001L))).as("3001 is in no listing: an unconnected TCP socket").isFalse();
		assertThat(others.allOtherThanTcp(Set.of(3001L))).isFalse();
		assertThat(others.allOtherThanTcp(Set.of())).as("nothing held").isTrue();
	}

	@Test
	void aVerdictIsKeptSoTheListingsAreReadOnlyForANewInode() throws IOException {
		write("unix", UNIX_HEADER, unix(1001));
		write("netlink", "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode",
				"0000000000000000 0   1234       00000000 0        0        0     2        0        4001");
		OwnershipOtherSockets others = new OwnershipOtherSockets(this.procNet);
		assertThat(others.allOtherThanTcp(Set.of(1001L, 4001L))).isTrue();

		Files.delete(this.procNet.resolve("unix"));
		Files.delete(this.procNet.resolve("netlink"));

		assertThat(others.allOtherThanTcp(Set.of(1001L, 4001L))).as("known from the first read").isTrue();
		assertThat(others.allOtherThanTcp(Set.of(1001L, 1002L))).as("1002 would need a read, and the listing is gone")
			.isFalse();
	}

	@Test
	void readsEachListingPastLinesThatAreNotSocketsAndPastListingsThatAreMissing() throws IOException {
		write("unix", UNIX_HEADER, "0000000000000000: 00000002 00000000 00010000 0001 01", "garbage", unix(1001),
				"0000000000000000: 00000002 00000000 00010000 0001 01 not-an-inode /run/x", unix(1002));
		write("raw6", UDP_HEADER, "   0: short line", udp(5001));
		OwnershipOtherSockets others = new OwnershipOtherSockets(this.procNet);

		assertThat(others.allOtherThanTcp(Set.of(1001L, 1002L, 5001L))).as("udp, udp6, raw missing; raw6 read").isTrue();
	}

	@Test
	void theHeaderLineIsNotASocket() throws IOException {
		write("unix", "0000000000000000: 00000002 00000000 00010000 0001 01 1001 /header/lookalike", unix(1002));
		OwnershipOtherSockets others = new OwnershipOtherSockets(this.procNet);

		assertThat(others.allOtherThanTcp(Set.of(1001L))).isFalse();
		assertThat(others.allOtherThanTcp(Set.of(1002L))).isTrue();
	}

	private void write(String file, String... lines) throws IOException {
		Files.write(this.procNet.resolve(file), java.util.List.of(lines));
	}

	/** A line of {@code /proc/net/unix}: the inode is the seventh column. */
	private static String unix(long inode) {
		return "0000000000000000: 00000002 00000000 00010000 0001 01 " + inode + " /run/user/1000/bus";
	}

	/** A line of {@code /proc/net/udp} and its siblings: the inode is the tenth column. */
	private static String udp(long inode) {
		return "  123: 0100007F:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 " + inode
				+ " 2 0000000000000000 0";
	}
}
