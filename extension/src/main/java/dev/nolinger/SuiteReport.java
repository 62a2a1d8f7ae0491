/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The summary of a run: every checked test, and totals by state and server port. */
final class SuiteReport {

	/** One lingering socket as the report shows it. */
	record Socket(TcpState state, String role, String local, String remote, int rule, int serverPort) {

		static Socket of(Finding finding) {
			TcpSocket socket = finding.socket();
			return new Socket(socket.state(), finding.role().label(), socket.local().toString(),
					socket.remote().toString(), finding.ownership().rule().number(), finding.serverPort());
		}
	}

	/** One checked test. */
	record Test(String uniqueId, String name, int tolerance, boolean failed, List<Socket> sockets) {
	}

	private final List<Test> tests;

	SuiteReport(List<Test> tests) {
		this.tests = List.copyOf(tests);
	}

	List<Test> tests() {
		return this.tests;
	}

	int checked() {
		return this.tests.size();
	}

	int failed() {
		return (int) this.tests.stream().filter(Test::failed).count();
	}

	int sockets() {
		return this.tests.stream().mapToInt(t -> t.sockets().size()).sum();
	}

	/** Lingering sockets per state, most frequent first. */
	Map<String, Integer> byState() {
		return mostFrequent(this.tests.stream().flatMap(t -> t.sockets().stream()).map(s -> s.state().name()).toList());
	}

	/** Lingering sockets per server port, most frequent first; sockets with no known server end are left out. */
	Map<String, Integer> byServerPort() {
		return mostFrequent(this.tests.stream()
			.flatMap(t -> t.sockets().stream())
			.filter(s -> s.serverPort() >= 0)
			.map(s -> String.valueOf(s.serverPort()))
			.toList());
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
			.append(failed()).append(" failed for lingering sockets, ").append(sockets())
			.append(sockets() == 1 ? " lingering socket" : " lingering sockets").append('.');
		if (sockets() > 0) {
			text.append("\n  states:       ").append(top(byState()));
			if (!byServerPort().isEmpty()) {
				text.append("\n  server ports: ").append(top(byServerPort()));
			}
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
			if (!byServerPort().isEmpty()) {
				md.append("\n## Most frequent server ports\n\n| port | sockets |\n| ---: | ---: |\n");
				byServerPort().forEach((port, count) -> md.append("| ").append(port).append(" | ").append(count).append(" |\n"));
			}
			md.append("\n## Tests that left sockets\n");
			for (Test test : sorted()) {
				if (test.sockets().isEmpty()) {
					continue;
				}
				md.append("\n### ").append(markdownText(test.name())).append(test.failed() ? " (failed" : " (passed")
					.append(", tolerance ").append(test.tolerance()).append(")\n\n");
				md.append("| state | end | local | remote | rule |\n| --- | --- | --- | --- | ---: |\n");
				for (Socket socket : test.sockets()) {
					md.append("| ").append(socket.state()).append(" | ").append(socket.role()).append(" | ")
						.append(socket.local()).append(" | ").append(socket.remote()).append(" | ").append(socket.rule())
						.append(" |\n");
				}
			}
		}
		return md.toString();
	}

	String json() {
		StringBuilder json = new StringBuilder("{\n");
		json.append("  \"testsChecked\": ").append(checked()).append(",\n");
		json.append("  \"testsFailed\": ").append(failed()).append(",\n");
		json.append("  \"lingeringSockets\": ").append(sockets()).append(",\n");
		json.append("  \"states\": ").append(jsonCounts(byState())).append(",\n");
		json.append("  \"serverPorts\": ").append(jsonCounts(byServerPort())).append(",\n");
		json.append("  \"tests\": [");
		List<Test> sorted = sorted();
		for (int i = 0; i < sorted.size(); i++) {
			Test test = sorted.get(i);
			json.append(i == 0 ? "\n" : ",\n");
			json.append("    {\"id\": ").append(MessageText.json(test.uniqueId())).append(", \"name\": ").append(MessageText.json(test.name()))
				.append(", \"failed\": ").append(test.failed()).append(", \"tolerance\": ").append(test.tolerance())
				.append(", \"sockets\": [");
			for (int j = 0; j < test.sockets().size(); j++) {
				Socket s = test.sockets().get(j);
				json.append(j == 0 ? "" : ", ").append("{\"state\": ").append(MessageText.json(s.state().name()))
					.append(", \"end\": ").append(MessageText.json(s.role())).append(", \"local\": ").append(MessageText.json(s.local()))
					.append(", \"remote\": ").append(MessageText.json(s.remote())).append(", \"rule\": ").append(s.rule())
					.append(", \"serverPort\": ").append(s.serverPort() < 0 ? "null" : String.valueOf(s.serverPort()))
					.append('}');
			}
			json.append("]}");
		}
		json.append(sorted.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
		return json.toString();
	}

	private List<Test> sorted() {
		List<Test> sorted = new ArrayList<>(this.tests);
		sorted.sort(Comparator.comparing(Test::uniqueId));
		return sorted;
	}

	private static String jsonCounts(Map<String, Integer> counts) {
		return counts.entrySet().stream().map(e -> MessageText.json(e.getKey()) + ": " + e.getValue())
			.collect(Collectors.joining(", ", "{", "}"));
	}

	private static String markdownText(String text) {
		return text.replace("|", "\\|").replace("\n", " ");
	}
}
