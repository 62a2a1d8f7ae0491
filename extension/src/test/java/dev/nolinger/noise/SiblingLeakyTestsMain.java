/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.noise;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import dev.nolinger.NoLingeringSockets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * A sibling JVM, as a second Surefire fork would be: it runs leaky annotated tests over and over
 * with the extension active. It stops after its time, or after the current round once its parent closes standard input.
 * Prints {@code ready} after the first round and {@code done F/T} (failed of total) at the end.
 */
public final class SiblingLeakyTestsMain {

	private SiblingLeakyTestsMain() {
	}

	private static volatile boolean parentGone;

	public static void main(String[] args) throws Exception {
		long deadline = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
		Thread watchdog = new Thread(() -> {
			try {
				while (System.in.read() >= 0) {
					// EOF means the parent is gone, or wants the summary
				}
			}
			catch (IOException e) {
				// gone
			}
			parentGone = true;
		}, "sibling-watchdog");
		watchdog.setDaemon(true);
		watchdog.start();
		long failed = 0;
		long total = 0;
		LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
			.selectors(selectClass(LeakyTestCases.class))
			.configurationParameter("nolinger.grace", "100ms")
			.build();
		for (int round = 0; round < 200 && System.nanoTime() < deadline && !parentGone; round++) {
			SummaryGeneratingListener summary = new SummaryGeneratingListener();
			LauncherFactory.create().execute(request, summary);
			failed += summary.getSummary().getTotalFailureCount();
			total += summary.getSummary().getTestsStartedCount();
			if (round == 0) {
				System.out.println("ready");
				System.out.flush();
			}
		}
		System.out.println("done " + failed + "/" + total);
	}

	@NoLingeringSockets
	public static class LeakyTestCases {

		private static final List<AutoCloseable> LEAKED = new ArrayList<>();

		@AfterAll
		static void closeLeaks() throws Exception {
			for (AutoCloseable closeable : LEAKED) {
				closeable.close();
			}
			LEAKED.clear();
		}

		@RepeatedTest(5)
		void serverNeverCloses() throws IOException {
			ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
			Socket accepted = server.accept();
			client.close();
			LEAKED.add(accepted);
			LEAKED.add(server);
		}
	}
}
