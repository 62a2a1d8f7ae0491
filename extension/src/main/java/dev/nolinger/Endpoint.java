/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

/**
 * An address and port, with IPv4 addresses held as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) so
 * both ends of a connection compare equal whichever file, {@code tcp} or {@code tcp6}, lists them.
 */
record Endpoint(long high, long low, int port) {

	static final long V4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;

	static Endpoint ipv4(int networkOrderAddress, int port) {
		return new Endpoint(0, V4_MAPPED_PREFIX | (networkOrderAddress & 0xFFFF_FFFFL), port);
	}

	boolean isIpv4() {
		return this.high == 0 && (this.low & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED_PREFIX;
	}

	/** Whether this is {@code 0.0.0.0} or {@code ::}, the address of a listener on every interface. */
	boolean isWildcard() {
		return this.high == 0 && (this.low == 0 || this.low == V4_MAPPED_PREFIX);
	}

	String address() {
		if (isIpv4()) {
			int v4 = (int) this.low;
			return (v4 >>> 24) + "." + ((v4 >>> 16) & 0xFF) + "." + ((v4 >>> 8) & 0xFF) + "." + (v4 & 0xFF);
		}
		return ipv6Text();
	}

	// Written out: a record's generated equals and hashCode go through method handles, and the
	// ledger and the table index hash endpoints on every socket event and every row.
	@Override
	public boolean equals(Object other) {
		return other instanceof Endpoint that && this.high == that.high && this.low == that.low && this.port == that.port;
	}

	@Override
	public int hashCode() {
		return (Long.hashCode(this.high) * 31 + Long.hashCode(this.low)) * 31 + this.port;
	}

	@Override
	public String toString() {
		return isIpv4() ? address() + ":" + this.port : "[" + address() + "]:" + this.port;
	}

	/** RFC 5952 text: lower case, leading zeros dropped, the longest run of two or more zero groups as "::". */
	private String ipv6Text() {
		int[] groups = new int[8];
		for (int i = 0; i < 4; i++) {
			groups[i] = (int) (this.high >>> (48 - 16 * i)) & 0xFFFF;
			groups[i + 4] = (int) (this.low >>> (48 - 16 * i)) & 0xFFFF;
		}
		int bestStart = -1;
		int bestLength = 1;
		for (int i = 0; i < 8;) {
			int j = i;
			while (j < 8 && groups[j] == 0) {
				j++;
			}
			if (j - i > bestLength) {
				bestStart = i;
				bestLength = j - i;
			}
			i = j == i ? i + 1 : j;
		}
		StringBuilder text = new StringBuilder(39);
		for (int i = 0; i < 8; i++) {
			if (i == bestStart) {
				text.append("::");
				i += bestLength - 1;
				continue;
			}
			if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
				text.append(':');
			}
			text.append(Integer.toHexString(groups[i]));
		}
		return text.toString();
	}
}
