/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command on a /proc tree built in a temporary directory, in the kernel's formats, so every
 * owner kind, age and column lines up to the exact text.
 */
class CommandProcTreeTests {

	private static final String TCP = String.join("\n",
			"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
			// 4242's listener on 0.0.0.0:8080
			"   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1000 1 0000000000000000 100 0 0 10 0",
			// 4242 never closed the connection it accepted; its client closed: a FIN_WAIT2 minisocket 10 s old
			"   1: 0100007F:1F90 0100007F:C350 08 00000000:00000001 00:00000000 00000000  1000        0 1001 1 0000000000000000 20 4 0 10 -1",
			"   2: 0100007F:C350 0100007F:1F90 05 00000000:00000000 03:00001388 00000000     0        0 0 3 0000000000000000",
			// 4242 closed an accepted socket after its peer did; the peer is gone
			"   3: 0100007F:1F90 0100007F:C351 09 00000000:00000000 01:00000014 00000000  1000        0 0 1 0000000000000000 20 4 0 10 -1",
			// one socket shared by 5000 and 5001 (inherited over fork)
			"   4: 0500000A:9C40 0900000A:01BB 08 00000000:00000000 00:00000000 00000000  1000        0 2002 1 0000000000000000 20 4 0 10 -1",
			// no process holds 3003
			"   5: 0500000A:9C41 0900000A:01BB 08 00000000:00000000 00:00000000 00000000  1000        0 3003 1 0000000000000000 20 4 0 10 -1",
			// an orphan towards another host: nobody here to blame
			"   6: 0500000A:9C42 0900000A:01BB 05 00000000:00000000 03:00000BB8 00000000     0        0 0 3 0000000000000000",
			// open and fine
			"   7: 0500000A:9C44 0900000A:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 5005 1 0000000000000000 20 4 0 10 -1",
			"");

	private static final String TCP6 = String.join("\n",
			"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
			"   0: B80D0120000000000000000001000000:9C43 B80D0120000000000000000002000000:01BB 08 00000000:00000000 00:00000000 00000000     0        0 4004 1 0000000000000000 20 4 0 10 -1",
			"");

	private static final String LONG_COMMAND = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java\0-Dname=a\tb\0-jar\0/opt/service/a-service-with-a-long-name.jar\0";

	@TempDir
	Path proc;

	@BeforeEach
	void buildProcTree() throws IOException {
		write("net/tcp", TCP);
		write("net/tcp6", TCP6);
		write("sys/net/ipv4/tcp_fin_timeout", "60\n");
		process(4242, "java\0-jar\0app.jar\0", Map.of(0, "anon_inode:[eventfd]", 5, "socket:[1001]", 6, "socket:[1000]",
				7, "pipe:[77]", 9, "socket:[1001]", 10, "socket:[5005]"));
		// Exited between the listing of /proc and the scan of its fds.
		write("4300/cmdline", "");
		process(5000, LONG_COMMAND, Map.of(3, "socket:[2002]"));
		process(5001, "worker\0", Map.of(4, "socket:[2002]"));
		process(6000, "", Map.of(1, "socket:[4004]"));
		write("6000/comm", "kthreadd\n");
	}

	@Test
	void listsEveryLingeringSocketWithOwnerAgeAndHints() {
		CommandRun run = CommandRun.run(this.proc);

		assertThat(run.err()).isEmpty();
		assertThat(run.status()).isEqualTo(1);
		assertThat(run.out()).isEqualTo("""
				7 sockets lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK:
				  CLOSE_WAIT  10.0.0.5:40000 -> 10.0.0.9:443            age unknown  pid 5000 (java -jar a-service-with-a-long-name.jar), also held by pid 5001
				  CLOSE_WAIT  10.0.0.5:40001 -> 10.0.0.9:443            age unknown  unknown (no visible process holds inode 3003)
				  FIN_WAIT2   10.0.0.5:40002 -> 10.0.0.9:443            age ~30s     orphan; no visible process holds its peer or listener
				  CLOSE_WAIT  [2001:db8::1]:40003 -> [2001:db8::2]:443  age unknown  pid 6000 ([kthreadd])
				  FIN_WAIT2   127.0.0.1:50000 -> 127.0.0.1:8080         age ~10s     orphan; peer is pid 4242 (java -jar app.jar)
				  CLOSE_WAIT  127.0.0.1:8080 -> 127.0.0.1:50000         age unknown  pid 4242 (java -jar app.jar)
				  LAST_ACK    127.0.0.1:8080 -> 127.0.0.1:50001         age unknown  orphan; listener 0.0.0.0:8080 is pid 4242 (java -jar app.jar)
				Hints:
				  FIN_WAIT2: the owning process closed (or called shutdownOutput()), and the peer has not closed its end.
				  CLOSE_WAIT: the peer closed, and the owning process has not called close() on its end.
				  LAST_ACK: the peer closed, the owning process closed after it, and the final ACK has not arrived.
				""");
	}

	@Test
	void pidKeepsTheSocketsItHoldsAndTheOrphansItIsPeerOrListenerOf() {
		CommandRun run = CommandRun.run(this.proc, "--pid", "4242");

		assertThat(run.status()).isEqualTo(1);
		assertThat(run.out()).isEqualTo("""
				3 sockets lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK for pid 4242:
				  FIN_WAIT2   127.0.0.1:50000 -> 127.0.0.1:8080  age ~10s     orphan; peer is pid 4242 (java -jar app.jar)
				  CLOSE_WAIT  127.0.0.1:8080 -> 127.0.0.1:50000  age unknown  pid 4242 (java -jar app.jar)
				  LAST_ACK    127.0.0.1:8080 -> 127.0.0.1:50001  age unknown  orphan; listener 0.0.0.0:8080 is pid 4242 (java -jar app.jar)
				Hints:
				  FIN_WAIT2: the owning process closed (or called shutdownOutput()), and the peer has not closed its end.
				  CLOSE_WAIT: the peer closed, and the owning process has not called close() on its end.
				  LAST_ACK: the peer closed, the owning process closed after it, and the final ACK has not arrived.
				""");
	}

	@Test
	void pidMatchesEveryProcessSharingASocket() {
		assertThat(CommandRun.run(this.proc, "--pid", "5001").out())
			.startsWith("1 socket lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK for pid 5001:\n"
					+ "  CLOSE_WAIT  10.0.0.5:40000 -> 10.0.0.9:443  age unknown  pid 5000 (");
	}

	@Test
	void portAndStatesNarrowTheList() {
		CommandRun run = CommandRun.run(this.proc, "--port", "443", "--states", "fin-wait2,ESTABLISHED");

		assertThat(run.out()).isEqualTo("""
				2 sockets lingering in ESTABLISHED or FIN_WAIT2 on port 443:
				  FIN_WAIT2    10.0.0.5:40002 -> 10.0.0.9:443  age ~30s     orphan; no visible process holds its peer or listener
				  ESTABLISHED  10.0.0.5:40004 -> 10.0.0.9:443  age unknown  pid 4242 (java -jar app.jar)
				Hints:
				  ESTABLISHED: the connection is still open; neither end has closed it.
				  FIN_WAIT2: the owning process closed (or called shutdownOutput()), and the peer has not closed its end.
				""");
	}

	@Test
	void nothingMatchingExitsZero() {
		CommandRun run = CommandRun.run(this.proc, "--port", "9", "--pid", "4242");

		assertThat(run.status()).isZero();
		assertThat(run.out()).isEqualTo("No sockets lingering in FIN_WAIT2, CLOSE_WAIT or LAST_ACK on port 9 for pid 4242.\n");
		assertThat(run.err()).isEmpty();
	}

	@Test
	void jsonHasEveryFieldAndTheWholeCommandLine() {
		CommandRun run = CommandRun.run(this.proc, "--json", "--port", "40000");

		assertThat(run.status()).isEqualTo(1);
		assertThat(run.out()).isEqualTo("""
				{
				  "states": ["FIN_WAIT2", "CLOSE_WAIT", "LAST_ACK"],
				  "port": 40000,
				  "pid": null,
				  "tcpFinTimeoutSeconds": 60,
				  "unreadableProcesses": 0,
				  "sockets": [
				    {"state": "CLOSE_WAIT", "local": "10.0.0.5:40000", "remote": "10.0.0.9:443", "localPort": 40000, "remotePort": 443, "inode": 2002, "uid": 1000, "owner": {"kind": "process", "pids": [5000, 5001], "command": "/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Dname=a\\tb -jar /opt/service/a-service-with-a-long-name.jar", "text": "pid 5000 (/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Dname=a\\tb -jar /opt/service/a-service-with-a-long-name.jar), also held by pid 5001"}, "ageSeconds": null, "hint": "the peer closed, and the owning process has not called close() on its end."}
				  ]
				}
				""");
	}

	@Test
	void jsonOfEveryRowIsWellFormed() {
		CommandRun run = CommandRun.run(this.proc, "--json");

		@SuppressWarnings("unchecked")
		Map<String, Object> document = (Map<String, Object>) JsonText.parse(run.out());
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> sockets = (List<Map<String, Object>>) document.get("sockets");
		assertThat(sockets).extracting(s -> s.get("state") + " " + s.get("local") + " " + s.get("ageSeconds") + " "
				+ ((Map<?, ?>) s.get("owner")).get("kind") + " " + ((Map<?, ?>) s.get("owner")).get("pids"))
			.containsExactly(
					"CLOSE_WAIT 10.0.0.5:40000 null process [5000, 5001]",
					"CLOSE_WAIT 10.0.0.5:40001 null not-found []",
					"FIN_WAIT2 10.0.0.5:40002 30 orphan []",
					"CLOSE_WAIT [2001:db8::1]:40003 null process [6000]",
					"FIN_WAIT2 127.0.0.1:50000 10 orphan-peer [4242]",
					"CLOSE_WAIT 127.0.0.1:8080 null process [4242]",
					"LAST_ACK 127.0.0.1:8080 null orphan-listener [4242]");
		assertThat(((Map<?, ?>) sockets.get(0).get("owner")).get("command"))
			.isEqualTo(LONG_COMMAND.substring(0, LONG_COMMAND.length() - 1).replace('\0', ' '));
	}

	@Test
	void withoutTcpFinTimeoutTheAgeOfFinWait2IsUnknown() throws IOException {
		Files.delete(this.proc.resolve("sys/net/ipv4/tcp_fin_timeout"));

		assertThat(CommandRun.run(this.proc, "--port", "40002").out())
			.contains("  FIN_WAIT2  10.0.0.5:40002 -> 10.0.0.9:443  age unknown  orphan;");
		assertThat(CommandRun.run(this.proc, "--port", "40002", "--json").out())
			.contains("\"tcpFinTimeoutSeconds\": null,")
			.contains("\"ageSeconds\": null");
	}

	@Test
	void unparsableTableIsExitThreeNamingTheLine() throws IOException {
		write("net/tcp6", TCP6.lines().findFirst().orElseThrow() + "\n   0: nonsense\n");

		CommandRun run = CommandRun.run(this.proc);

		assertThat(run.status()).isEqualTo(3);
		assertThat(run.out()).isEmpty();
		assertThat(run.err()).isEqualTo("nolinger: " + this.proc.resolve("net/tcp6")
				+ " line 2: local address: expected 32 hex digits before ':', found 'n'\n  the line: 0: nonsense\n");
	}

	private void process(long pid, String commandLine, Map<Integer, String> fds) throws IOException {
		write(pid + "/cmdline", commandLine);
		Path fdDirectory = Files.createDirectories(this.proc.resolve(pid + "/fd"));
		for (Map.Entry<Integer, String> fd : fds.entrySet()) {
			Files.createSymbolicLink(fdDirectory.resolve(fd.getKey().toString()), Path.of(fd.getValue()));
		}
	}

	private void write(String file, String content) throws IOException {
		Path path = this.proc.resolve(file);
		Files.createDirectories(path.getParent());
		Files.writeString(path, content, StandardCharsets.UTF_8);
	}
}
