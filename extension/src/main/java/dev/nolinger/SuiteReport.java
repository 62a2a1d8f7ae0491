/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The summary of a run: every checked test, and totals by state and by test class, state and end. */
final class SuiteReport {

	/**
	 * One lingering socket as the report shows it; {@code fate}, for a socket that failed its test,
	 * says how it ended: {@code still lingering at the end of the run} or {@code closed 1.2-1.6 s
	 * after its test} (empty when not watched).
	 */
	record Socket(TcpState state, String role, String local, String remote, int rule, int serverPort, String fate) {

		Socket(TcpState state, String role, String local, String remote, int rule, int serverPort) {
			this(state, role, local, remote, rule, serverPort, "");
		}

		Socket withFate(String fate) {
			return new Socket(this.state, this.role, this.local, this.remote, this.rule, this.serverPort, fate);
		}

		boolean lingeredToTheEnd() {
			return this.fate.equals(Messages.stillLingeringAtTheEnd());
		}

		/** A FIN_WAIT2 the kernel dropped beside its CLOSE_WAIT peer: half of a leak, never a late close. */
		boolean halfOfALeak() {
			return this.fate.equals(Messages.expiredBesideCloseWait());
		}

		boolean closedLate() {
			return !this.fate.isEmpty() && !lingeredToTheEnd() && !halfOfALeak();
		}

		static Socket of(Finding finding) {
			TcpSocket socket = finding.socket();
			return new Socket(socket.state(), finding.role().label(), socket.local().toString(),
					socket.remote().toString(), finding.ownership().rule().number(), finding.serverPort());
		}
	}

	/**
	 * One checked test (or class); {@code passedByBaseline} counts the sockets the baseline file
	 * excused in a test that passed only because of it (0 otherwise); {@code notJudged} counts the
	 * sockets left unjudged because other checked tests ran alongside, {@code unjudged} lists them
	 * and {@code ranAlongside} names those tests and classes.
	 */
	record Test(String uniqueId, String name, int tolerance, boolean failed, List<Socket> sockets, int passedByBaseline,
			int notJudged, List<Unjudged> unjudged, List<String> ranAlongside) {

		Test(String uniqueId, String name, int tolerance, boolean failed, List<Socket> sockets) {
			this(uniqueId, name, tolerance, failed, sockets, 0, 0);
		}

		Test(String uniqueId, String name, int tolerance, boolean failed, List<Socket> sockets, int passedByBaseline,
				int notJudged) {
			this(uniqueId, name, tolerance, failed, sockets, passedByBaseline, notJudged, List.of(), List.of());
		}
	}

	/**
	 * A socket left unjudged, as the report lists it: where the ledger saw it opened (empty when
	 * not traced), so that someone can tell whose it is; {@link NotJudged} builds it.
	 */
	record Unjudged(TcpState state, String role, String local, String remote, String where) {
	}

	/** Tests (not classes) with findings left unjudged because other checked tests ran concurrently. */
	int testsNotJudged() {
		return (int) this.tests.stream().filter(t -> !isClass(t) && t.notJudged() > 0).count();
	}

	/** Classes whose own findings (what no test of theirs reported) were left unjudged. */
	int classesNotJudged() {
		return (int) this.tests.stream().filter(t -> isClass(t) && t.notJudged() > 0).count();
	}

	int socketsNotJudged() {
		return this.tests.stream().mapToInt(Test::notJudged).sum();
	}

	private final List<Test> tests;

	private final CheckCost cost;

	SuiteReport(List<Test> tests) {
		this(tests, CheckCost.NONE);
	}

	SuiteReport(List<Test> tests, CheckCost cost) {
		this.tests = List.copyOf(tests);
		this.cost = cost;
	}

	/** What the checks of the run cost, summed over its JVMs. */
	CheckCost cost() {
		return this.cost;
	}

	List<Test> tests() {
		return this.tests;
	}

	/** Tests checked; a class appears in the report only when its fixtures left sockets, and is not counted here. */
	int checked() {
		return (int) this.tests.stream().filter(t -> !isClass(t)).count();
	}

	int failed() {
		return (int) this.tests.stream().filter(t -> !isClass(t) && t.failed()).count();
	}

	/** Classes whose fixtures ({@code @BeforeAll}, {@code @AfterAll}) failed them for lingering sockets. */
	int classesFailed() {
		return (int) this.tests.stream().filter(t -> isClass(t) && t.failed()).count();
	}

	/** Whether the entry is a class container's check rather than a test's. */
	static boolean isClass(Test test) {
		String[] segments = test.uniqueId().split("/");
		String last = segments[segments.length - 1];
		return last.startsWith("[class:") || last.startsWith("[nested-class:");
	}

	int sockets() {
		return this.tests.stream().mapToInt(t -> t.sockets().size()).sum();
	}

	/** Lingering sockets per state, most frequent first. */
	Map<String, Integer> byState() {
		return mostFrequent(this.tests.stream().flatMap(t -> t.sockets().stream()).map(s -> s.state().name()).toList());
	}

	/**
	 * Lingering sockets per test class, state and end, most frequent first: what stays the same
	 * from run to run, unlike ephemeral server ports.
	 */
	Map<String, Integer> byClassStateAndEnd() {
		return mostFrequent(this.tests.stream()
			.flatMap(t -> t.sockets().stream().map(s -> testClass(t.uniqueId()) + " " + s.state() + " " + s.role()))
			.toList());
	}

	/** The test's class as its unique ID names it, without the package: {@code OrderIT} or {@code OrderIT$Nested}. */
	static String testClass(String uniqueId) {
		String found = "";
		for (String segment : uniqueId.split("/")) {
			if (segment.startsWith("[class:") || segment.startsWith("[nested-class:")) {
				String name = segment.substring(segment.indexOf(':') + 1, segment.length() - 1);
				name = name.substring(name.lastIndexOf('.') + 1);
				found = segment.startsWith("[nested-class:") && !found.isEmpty() ? found + "$" + name : name;
			}
		}
		return found.isEmpty() ? "(no class)" : found;
	}

	/** Sockets that failed a test and were gone before the run ended: closed late rather than leaked. */
	int closedLate() {
		return (int) this.tests.stream().flatMap(t -> t.sockets().stream()).filter(Socket::closedLate).count();
	}

	/** FIN_WAIT2 sockets that failed a test and that the kernel dropped while their other end stayed in CLOSE_WAIT. */
	int halvesOfLeaks() {
		return (int) this.tests.stream().flatMap(t -> t.sockets().stream()).filter(Socket::halfOfALeak).count();
	}

	/** Sockets that failed a test and still lingered when the run ended. */
	int lingeredToTheEnd() {
		return (int) this.tests.stream().flatMap(t -> t.sockets().stream()).filter(Socket::lingeredToTheEnd).count();
	}

	private static Map<String, Integer> mostFrequent(List<String> keys) {
		Map<String, Integer> counts = new TreeMap<>();
		keys.forEach(key -> counts.merge(key, 1, Integer::sum));
		return counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
			.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
	}

	String consoleSummary(String reportPath) {
		StringBuilder text = new StringBuilder();
		text.append("nolinger: ").append(checked()).append(checked() == 1 ? " test" : " tests").append(" checked, ")
			.append(failed()).append(" failed for lingering sockets, ")
			.append(classesFailed() == 0 ? "" : classesFailed() + (classesFailed() == 1 ? " class" : " classes") + " failed, ")
			.append(sockets())
			.append(sockets() == 1 ? " lingering socket" : " lingering sockets").append('.');
		if (sockets() > 0) {
			text.append("\n  states:       ").append(top(byState()));
			text.append("\n  where:        ").append(top(byClassStateAndEnd()));
		}
		if (closedLate() + lingeredToTheEnd() + halvesOfLeaks() > 0) {
			text.append("\n  at the end:   ").append(lingeredToTheEnd()).append(" still lingering at the end of the run, ");
			if (halvesOfLeaks() > 0) {
				text.append(halvesOfLeaks()).append(" FIN_WAIT2 dropped by the kernel while its other end stayed in CLOSE_WAIT")
					.append(" (half of a leak), ");
			}
			text.append(closedLate()).append(" closed after their test");
			if (closedLate() > 0) {
				text.append(" (closed late: raise nolinger.grace or close the fixture)");
			}
		}
		if (socketsNotJudged() > 0) {
			text.append("\n  not judged:   ").append(NotJudged.counted(this))
				.append(", as other checked tests ran alongside: listed, with where each was opened, in report.md");
		}
		if (this.cost.nanos() > 0) {
			text.append("\n  cost:         the checks took ").append(this.cost.describe(checked()));
		}
		if (!this.cost.fasterPath().isEmpty()) {
			text.append("\n  faster path:  not taken, so tests that hold connections read the whole socket table: ")
				.append(this.cost.fasterPath());
		}
		text.append("\n  report:       ").append(reportPath);
		return text.toString();
	}

	private static String top(Map<String, Integer> counts) {
		return counts.entrySet().stream().limit(5).map(e -> e.getKey() + " (" + e.getValue() + ")")
			.collect(Collectors.joining(", "));
	}

	String markdown() {
		StringBuilder md = new StringBuilder("# nolinger report\n\n");
		md.append("| tests checked | failed for lingering sockets | lingering sockets |\n| ---: | ---: | ---: |\n");
		md.append("| ").append(checked()).append(" | ").append(failed()).append(" | ").append(sockets()).append(" |\n");
		if (sockets() > 0) {
			md.append("\n## Most frequent states\n\n| state | sockets |\n| --- | ---: |\n");
			byState().forEach((state, count) -> md.append("| ").append(state).append(" | ").append(count).append(" |\n"));
			md.append("\n## Where: test class, state and end\n\n| test class | state | end | sockets |\n| --- | --- | --- | ---: |\n");
			byClassStateAndEnd().forEach((where, count) -> {
				String[] parts = where.split(" ", 3);
				md.append("| ").append(markdownText(parts[0])).append(" | ").append(parts[1]).append(" | ").append(parts[2])
					.append(" | ").append(count).append(" |\n");
			});
			if (closedLate() + lingeredToTheEnd() + halvesOfLeaks() > 0) {
				md.append("\nOf the sockets that failed a test, ").append(lingeredToTheEnd())
					.append(lingeredToTheEnd() == 1 ? " was" : " were").append(" still lingering at the end of the run, ");
				if (halvesOfLeaks() > 0) {
					md.append(halvesOfLeaks()).append(" FIN_WAIT2 ").append(halvesOfLeaks() == 1 ? "was" : "were")
						.append(" dropped by the kernel while the other end stayed in CLOSE_WAIT (half of a leak), ");
				}
				md.append("and ").append(closedLate()).append(" closed after their test.");
				if (closedLate() > 0) {
					md.append(" A late close is not a leak: raise `nolinger.grace`, or close the fixture that holds the"
							+ " socket before the test ends.");
				}
				md.append('\n');
			}
			md.append("\n## Tests that left sockets\n");
			for (Test test : sorted()) {
				if (test.sockets().isEmpty()) {
					continue;
				}
				md.append("\n### ").append(markdownText(test.name())).append(test.failed() ? " (failed" : " (passed");
				if (test.passedByBaseline() > 0) {
					md.append(" only because the baseline allows ").append(test.passedByBaseline())
						.append(test.passedByBaseline() == 1 ? " socket" : " sockets");
				}
				md.append(", tolerance ").append(test.tolerance()).append(")\n\n");
				md.append("| state | end | local | remote | rule | at the end of the run |\n| --- | --- | --- | --- | ---: | --- |\n");
				for (Socket socket : test.sockets()) {
					md.append("| ").append(socket.state()).append(" | ").append(socket.role()).append(" | ")
						.append(socket.local()).append(" | ").append(socket.remote()).append(" | ").append(socket.rule())
						.append(" | ").append(socket.fate()).append(" |\n");
				}
			}
		}
		NotJudged.markdown(this, md);
		return md.toString();
	}

	String json() {
		StringBuilder json = new StringBuilder("{\n");
		json.append("  \"testsChecked\": ").append(checked()).append(",\n");
		json.append("  \"testsFailed\": ").append(failed()).append(",\n");
		json.append("  \"classesFailed\": ").append(classesFailed()).append(",\n");
		json.append("  \"lingeringSockets\": ").append(sockets()).append(",\n");
		json.append("  \"testsNotJudged\": ").append(testsNotJudged()).append(",\n");
		json.append("  \"classesNotJudged\": ").append(classesNotJudged()).append(",\n");
		json.append("  \"socketsNotJudged\": ").append(socketsNotJudged()).append(",\n");
		json.append("  \"states\": ").append(jsonCounts(byState())).append(",\n");
		json.append("  \"where\": ").append(jsonCounts(byClassStateAndEnd())).append(",\n");
		json.append("  \"stillLingeringAtTheEnd\": ").append(lingeredToTheEnd()).append(",\n");
		json.append("  \"closedAfterTheirTest\": ").append(closedLate()).append(",\n");
		json.append("  \"finWait2DroppedBesideCloseWait\": ").append(halvesOfLeaks()).append(",\n");
		json.append("  \"checkMillis\": ").append(String.format(Locale.ROOT, "%.3f", this.cost.nanos() / 1e6)).append(",\n");
		json.append("  \"tests\": [");
		List<Test> sorted = sorted();
		for (int i = 0; i < sorted.size(); i++) {
			Test test = sorted.get(i);
			json.append(i == 0 ? "\n" : ",\n");
			json.append("    {\"id\": ").append(MessageText.json(test.uniqueId())).append(", \"name\": ").append(MessageText.json(test.name()))
				.append(", \"failed\": ").append(test.failed()).append(", \"tolerance\": ").append(test.tolerance())
				.append(", \"passedByBaseline\": ").append(test.passedByBaseline())
				.append(", \"sockets\": [");
			for (int j = 0; j < test.sockets().size(); j++) {
				Socket s = test.sockets().get(j);
				json.append(j == 0 ? "" : ", ").append("{\"state\": ").append(MessageText.json(s.state().name()))
					.append(", \"end\": ").append(MessageText.json(s.role())).append(", \"local\": ").append(MessageText.json(s.local()))
					.append(", \"remote\": ").append(MessageText.json(s.remote())).append(", \"rule\": ").append(s.rule())
					.append(", \"serverPort\": ").append(s.serverPort() < 0 ? "null" : String.valueOf(s.serverPort()))
					.append(s.fate().isEmpty() ? "" : ", \"atTheEnd\": " + MessageText.json(s.fate()))
					.append('}');
			}
			json.append(']');
			NotJudged.json(test, json);
			json.append('}');
		}
		json.append(sorted.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
		return json.toString();
	}

	List<Test> sorted() {
		List<Test> sorted = new ArrayList<>(this.tests);
		sorted.sort(Comparator.comparing(Test::uniqueId));
		return sorted;
	}

	private static String jsonCounts(Map<String, Integer> counts) {
		return counts.entrySet().stream().map(e -> MessageText.json(e.getKey()) + ": " + e.getValue())
			.collect(Collectors.joining(", ", "{", "}"));
	}

	static String markdownText(String text) {
		return text.replace("|", "\\|").replace("\n", " ");
	}
}
