/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import dev.nolinger.LedgerEvents;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs with the packaged, shaded nolinger jar as a Java agent, next to Mockito's agent, set up the
 * way the README shows (Surefire's {@code traced} execution).
 */
class LedgerAgentTracedTests {

	/** Final, so only the inline mock maker can mock it. */
	static final class PriceList {

		int price(String item) {
			return item.length();
		}
	}

	/**
	 * Surefire's default execution excludes this class, but {@code -Dtest} overrides the excludes:
	 * without the agent there is nothing to test here.
	 */
	@BeforeEach
	void onlyWithTheAgent() {
		assumeTrue(ManagementFactory.getRuntimeMXBean()
			.getInputArguments()
			.stream()
			.anyMatch(argument -> argument.startsWith("-javaagent:") && argument.contains("nolinger-junit")),
				"run by Surefire's traced execution");
	}

	@Test
	void thePackagedJarIsTheAgentAndHidesItsAsm() {
		assertThat(LedgerEvents.tracing()).isTrue();
		assertThatThrownBy(() -> Class.forName("org.objectweb.asm.ClassReader"))
			.isInstanceOf(ClassNotFoundException.class);
	}

	@Test
	void mockitosInlineMocksWorkBesideTracedSockets() throws IOException {
		PriceList prices = mock(PriceList.class);
		when(prices.price("tea")).thenReturn(42);
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
				Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
				Socket accepted = server.accept();
				OutputStream out = client.getOutputStream();
				InputStream in = accepted.getInputStream()) {
			out.write(prices.price("tea"));
			assertThat(in.read()).isEqualTo(42);
		}
		assertThat(LedgerEvents.tracing()).isTrue();
	}
}
