/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTests {

	@ParameterizedTest
	@CsvSource({
			"0000000000000000, 0000000000000001, 443, '[::1]:443'",
			"0000000000000000, 0000000000000000, 80, '[::]:80'",
			"20010db800000000, 0000000000000001, 8080, '[2001:db8::1]:8080'",
			"20010db800000001, 0000000100000001, 1, '[2001:db8:0:1:0:1:0:1]:1'",
			"fe80000000000000, 0000000000000000, 22, '[fe80::]:22'",
			"0001000000000000, 0000000000000000, 22, '[1::]:22'",
			"0000000000000000, 0000ffff7f000001, 5432, '127.0.0.1:5432'",
			"0000000000000000, 0000ffff00000000, 5432, '0.0.0.0:5432'",
			"0000000000000000, 0000ffffc0a80102, 80, '192.168.1.2:80'",
			"0001000000020003, 0004000500060007, 1, '[1:0:2:3:4:5:6:7]:1'",
			"0001000000000002, 0000000000030004, 1, '[1::2:0:0:3:4]:1'" })
	void printsAddressesTheWayPeopleWriteThem(String high, String low, int port, String text) {
		Endpoint endpoint = new Endpoint(Long.parseUnsignedLong(high, 16), Long.parseUnsignedLong(low, 16), port);

		assertThat(endpoint).hasToString(text);
	}
}
