/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on real loopback sockets, in child JVMs on the JDK running the tests (CI runs them on
 * 25 and again on 17). The child gets {@code -javaagent} of a manifest-only jar naming the agent
 * class on the test classpath; {@code sample-tests} runs the same agent from the packaged, shaded
 * jar. Bootstrap classes are not verified by default: the children verify them, so a hook that
 * broke a stack map frame would fail here.
 */
class LedgerAgentTests {

	@TempDir
	static Path dir;

	private static Path agent;

	/** One child's output: its events, its facts, and standard error. */
	record Run(List<String> events, Map<String, List<String>> facts, List<String> errors, int exit) {

		String fact(String name) {
			List<String> values = this.facts.getOrDefault(name, List.of());
			assertThat(values).as("fact %s in %s", name, this).hasSize(1);
			return values.get(0);
		}
	}

	@BeforeAll
	static void agentJar() throws IOException {
		Manifest manifest = new Manifest();
		Attributes attributes = manifest.getMainAttributes();
		attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		attributes.putValue("Premain-Class", LedgerAgent.class.getName());
		attributes.putValue("Can-Retransform-Classes", "true");
		agent = dir.resolve("agent.jar");
		try (OutputStream file = Files.newOutputStream(agent); JarOutputStream out = new JarOutputStream(file, manifest)) {
			// the classes come from the test classpath
			out.flush();
		}
	}

	/** Runs a scenario with the JDK's classes verified, which also turns class data sharing off. */
	static Run run(String scenario, String... jvmOptions) throws Exception {
		List<String> options = new ArrayList<>(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal"));
		options.addAll(List.of(jvmOptions));
		return runPlain(scenario, options.toArray(String[]::new));
	}

	/** Runs a scenario in a JVM with default options (class data sharing on) besides the agent. */
	static Run runPlain(String scenario, String... jvmOptions) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx128m", "-javaagent:" + agent));
		command.addAll(List.of(jvmOptions));
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), LedgerAgentProbe.class.getName(), scenario));
		Process process = new ProcessBuilder(command).start();
		CompletableFuture<List<String>> out = lines(process.getInputStream());
		CompletableFuture<List<String>> err = lines(process.getErrorStream());
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
		List<String> events = new ArrayList<>();
		Map<String, List<String>> facts = new LinkedHashMap<>();
		for (String line : out.get(10, TimeUnit.SECONDS)) {
			if (line.startsWith("event ")) {
				events.add(line.substring("event ".length()));
			}
			else if (line.startsWith("fact ")) {
				String[] fact = line.substring("fact ".length()).split(" ", 2);
				facts.computeIfAbsent(fact[0], k -> new ArrayList<>()).add(fact[1]);
			}
		}
		Run run = new Run(events, facts, err.get(10, TimeUnit.SECONDS), process.exitValue());
		assertThat(run.exit).as("exit of %s", run).isZero();
		assertThat(run.fact("done")).isEqualTo("true");
		return run;
	}

	private static CompletableFuture<List<String>> lines(InputStream in) {
		return CompletableFuture.supplyAsync(() -> {
			try (in) {
				return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
			}
			catch (IOException e) {
				throw new IllegalStateException(e);
			}
		});
	}

	/** A socket address as InetSocketAddress prints it, from a fact such as {@code /127.0.0.1:4242}. */
	private static String at(Run run, String fact) {
		return run.fact(fact);
	}

	@Test
	void socketConnectAcceptAndCloseAreReportedWithTheirAddressesAndThread() throws Exception {
		Run run = run("socket");
		String server = at(run, "server");
		String client = at(run, "client");
		assertThat(run.errors).isEmpty();
		assertThat(run.fact("tracing")).isEqualTo("true");
		assertThat(run.events).containsExactly(
				"listening S1 " + server + " @main",
				"connected S2 " + client + " " + server + " @main",
				"accepted S3 " + server + " " + client + " @main",
				"closed S2 @main",
				"closed S3 @main",
				"closed S1 @main");
	}

	@Test
	void aSocketAcceptedOnAWildcardListenerReportsTheAddressItWasReachedAt() throws Exception {
		Run run = run("wildcard");
		String target = at(run, "target");
		String client = at(run, "client");
		assertThat(run.events).filteredOn(e -> !e.startsWith("listening ") && !e.startsWith("closed "))
			.containsExactly("connected S2 " + client + " " + target + " @main",
					"accepted S3 " + target + " " + client + " @main");
		assertThat(run.errors).isEmpty();
	}

	@Test
	void channelConnectAcceptAndCloseAreReportedOnceEach() throws Exception {
		Run run = run("channel");
		String server = at(run, "server");
		String client = at(run, "client");
		String pending = at(run, "pending");
		assertThat(run.errors).isEmpty();
		assertThat(run.events).containsExactly(
				"listening S1 " + server + " @main",
				"connected S2 " + client + " " + server + " @main",
				"accepted S3 " + server + " " + client + " @main",
				"closed S2 @main",
				"closed S3 @main",
				"connected S4 " + pending + " " + server + " @main",
				"accepted S5 " + server + " " + pending + " @main",
				"closed S4 @main",
				"closed S5 @main",
				"closed S1 @main");
	}

	@Test
	void refusedAndTimedOutConnectsReportNothing() throws Exception {
		Run run = run("failed");
		assertThat(run.facts.get("refused")).containsExactly("socket", "channel");
		assertThat(run.facts).as("a connect timed out against the full accept queue").containsKey("timedOut");
		String full = at(run, "full");
		int filled = Integer.parseInt(run.fact("filled"));
		List<String> connected = run.events.stream().filter(e -> e.startsWith("connected ")).toList();
		assertThat(connected).as("one per successful connect, none for the refused or timed-out ones")
			.hasSize(filled)
			.allMatch(e -> e.contains(" " + full + " @main"));
		assertThat(run.events.stream().filter(e -> e.startsWith("listening "))).hasSize(2);
		assertThat(run.errors).isEmpty();
	}

	@Test
	void closeFromAnotherThreadAndAnInterruptedChannelReadReportTheClosingThread() throws Exception {
		Run run = run("threads");
		assertThat(run.fact("readFailed")).isEqualTo("SocketException");
		assertThat(run.fact("interrupted")).isEqualTo("closed");
		List<String> closes = run.events.stream().filter(e -> e.startsWith("closed S2 ") || e.startsWith("closed S5 ")).toList();
		// S2 is the client closed by main under the reader; S5 the channel closed by interrupting its reader.
		assertThat(closes).containsExactly("closed S2 @main", "closed S5 @main");
		assertThat(run.errors).isEmpty();
	}

	@Test
	void virtualThreadsAreTraced() throws Exception {
		assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21");
		Run run = run("virtual");
		String client = at(run, "client");
		String channel = at(run, "channel");
		String server = at(run, "server");
		// The accepting main thread and the virtual client race: compare without the socket names.
		assertThat(run.events).filteredOn(e -> e.startsWith("connected "))
			.map(e -> e.replaceFirst(" S\\d+ ", " "))
			.containsExactly("connected " + client + " " + server + " @virtual-client",
					"connected " + channel + " " + server + " @virtual-client");
		assertThat(run.errors).isEmpty();
	}

	@Test
	void aSocketDroppedWithoutCloseIsReportedClosedWhenTheCleanerClosesIt() throws Exception {
		Run run = run("cleaner");
		String dropped = at(run, "dropped");
		assertThat(run.events).filteredOn(e -> e.startsWith("connected ")).singleElement().satisfies(e -> assertThat(e).startsWith("connected S2 " + dropped + " "));
		assertThat(run.events).as("closed by the JDK's cleaner thread after a GC").contains("closed S2 @Common-Cleaner");
		assertThat(run.fact("closer")).as("the ledger knows the cleaner closed it").isEqualTo("CLEANER @Common-Cleaner");
		assertThat(run.errors).isEmpty();
	}

	@Test
	void aChannelCollectedWithoutCloseKeepsItsFdAndIsNeverSaidClosedByTheCleaner() throws Exception {
		Run run = run("collectedChannel");
		assertThat(run.fact("closer")).as("no cleaner: the ledger saw the channel collected, closed by nobody")
			.isEqualTo("NOBODY @");
		assertThat(run.fact("fdHeld")).as("its CLOSE_WAIT is still an open fd of this JVM").isEqualTo("true");
		assertThat(run.fact("row")).isEqualTo("its socket object was garbage-collected without close(), and its fd is"
				+ " still open: NIO channels register no cleaner, so nothing closes it until this JVM exits");
		assertThat(run.errors).isEmpty();
	}

	@Test
	void unixDomainChannelsAreIgnored() throws Exception {
		Run run = run("unix");
		assertThat(run.fact("unix")).isEqualTo("connected");
		assertThat(run.events).isEmpty();
		assertThat(run.errors).isEmpty();
	}

	@Test
	void aDefaultJvmWithTheAgentPrintsNothing() throws Exception {
		// Class data sharing is on here: appending to the bootstrap class path would make the JVM warn.
		Run run = runPlain("socket");
		assertThat(run.fact("tracing")).isEqualTo("true");
		assertThat(run.events).hasSize(6);
		assertThat(run.errors).isEmpty();
	}

	@Test
	void aJvmThatOpensNoSocketMakesNoCall() throws Exception {
		Run run = run("quiet");
		assertThat(run.fact("tracing")).isEqualTo("true");
		assertThat(run.events).isEmpty();
		assertThat(run.errors).isEmpty();
	}

	@Test
	void aJdkWithoutAHookedMethodStartsWithOneWarningAndTracingOff() throws Exception {
		Run run = run("socket", "-D" + LedgerHooks.PRETEND_MISSING_PROPERTY + "=sun.nio.ch.NioSocketImpl.listen");
		assertThat(run.fact("tracing")).isEqualTo("false");
		assertThat(run.events).isEmpty();
		assertThat(run.errors).containsExactly("nolinger: socket tracing is off on Java " + Runtime.version()
				+ ": it lacks method sun.nio.ch.NioSocketImpl.listen(I)V; the socket table check goes on without it.");
		assertThat(Stream.of("server", "client")).allSatisfy(fact -> assertThat(at(run, fact)).startsWith("/127.0.0.1:"));
	}

	@Test
	void mockitosInlineMockMakerAsAnAgentWorksBesideTracing() throws Exception {
		mockitoBesideTracing(run("mockito", "-javaagent:" + mockitoJar()));
	}

	@Test
	void mockitosInlineMockMakerSelfAttachingWorksBesideTracing() throws Exception {
		// Mockito attaches its agent itself here; Java 21+ wants this flag for that, and 17 lacks it.
		mockitoBesideTracing(run("mockito", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:+EnableDynamicAgentLoading"));
	}

	private static void mockitoBesideTracing(Run run) {
		assertThat(run.fact("greeter")).isEqualTo("mocked");
		assertThat(run.fact("mockSocket")).isEqualTo("4242");
		assertThat(run.fact("stillMocked")).isEqualTo("mocked 4242");
		assertThat(run.fact("tracing")).isEqualTo("true");
		String server = at(run, "server");
		String client = at(run, "client");
		assertThat(run.events).containsExactly(
				"listening S1 " + server + " @main",
				"connected S2 " + client + " " + server + " @main",
				"accepted S3 " + server + " " + client + " @main",
				"closed S2 @main",
				"closed S3 @main",
				"closed S1 @main");
		assertThat(run.errors).noneMatch(line -> line.contains("nolinger"));
	}

	private static String mockitoJar() {
		return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
			.filter(entry -> Path.of(entry).getFileName().toString().startsWith("mockito-core-"))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("mockito-core is not on the test classpath"));
	}

	@Test
	void theOldPlainSocketImplOfJava17TurnsTracingOffWithOneWarning() throws Exception {
		assumeTrue(Runtime.version().feature() < 18, "PlainSocketImpl is gone since Java 18");
		Run run = run("socket", "-Djdk.net.usePlainSocketImpl=true");
		assertThat(run.fact("tracing")).isEqualTo("false");
		assertThat(run.events).isEmpty();
		assertThat(run.errors).containsExactly("nolinger: socket tracing is off on Java " + Runtime.version()
				+ ": it lacks NioSocketImpl for java.net.Socket (-Djdk.net.usePlainSocketImpl is set)"
				+ "; the socket table check goes on without it.");
	}
}
