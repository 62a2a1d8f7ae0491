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
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The summary of a run: every checked test, and totals by state and by test class, state and end. */
final class SuiteReport {

	/**
	 * One lingering socket as the report shows it; {@code fate}, for a socket that failed its test,
	 * says how it ended: still lingering at the end of the run, closed late, or a leak closed by
	 * something else ({@link SuiteReportFate#NONE} when not watched).
	 */
	record Socket(TcpState state, String role, String local, String remote, int rule, int serverPort,
			SuiteReportFate fate) {

		Socket(TcpState state, String role, String local, String remote, int rule, int serverPort) {
			this(state, role, local, remote, rule, serverPort, SuiteReportFate.NONE);
		}

		Socket withFate(SuiteReportFate fate) {
			return new Socket(this.state, this.role, this.local, this.remote, this.rule, this.serverPort, fate);
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

	/** The fates of the sockets that failed a test and were watched. */
	private List<SuiteReportFate> fates() {
		return this.tests.stream().flatMap(t -> t.sockets().stream()).map(Socket::fate)
			.filter(f -> f.kind() != SuiteReportFate.Kind.NONE).toList();
	}

	private int count(Predicate<SuiteReportFate> which) {
		return (int) fates().stream().filter(which).count();
	}

	/** Sockets that failed a test and closed within {@link SuiteReportFate#LATE_CLOSE_BOUND_MILLIS}: late, not leaked. */
	int closedLate() {
		return count(SuiteReportFate::lateClose);
	}

	/** Sockets that failed a test and were leaks, which no grace would have passed. */
	int leaks() {
		return count(SuiteReportFate::leak);
	}

	/** FIN_WAIT2 sockets that failed a test and that the kernel dropped while their other end stayed in CLOSE_WAIT. */
	int halvesOfLeaks() {
		return count(f -> f.kind() == SuiteReportFate.Kind.EXPIRED_BESIDE_CLOSE_WAIT);
	}

	/** Sockets that failed a test and still lingered when the run ended. */
	int lingeredToTheEnd() {
		return count(f -> f.kind() == SuiteReportFate.Kind.LINGERING);
	}

	/** Sockets that failed a test and ended because the JDK's cleaner closed them or their other end. */
	int closedByCleaner() {
		return count(f -> f.kind() == SuiteReportFate.Kind.CLEANER || f.kind() == SuiteReportFate.Kind.OTHER_END_CLEANER);
	}

	/** Sockets that failed a test and that its own thread closed later, in a later test or a fixture. */
	int closedOnTestThread() {
		return count(f -> f.kind() == SuiteReportFate.Kind.CLOSED_ON_TEST_THREAD);
	}

	/** Sockets that failed a test and closed surely later than {@link SuiteReportFate#LATE_CLOSE_BOUND_MILLIS}. */
	int closedBeyondBound() {
		return count(SuiteReportFate::closedBeyondBound);
	}

	/** Sockets that failed a test and closed, with no read telling whether within the bound or beyond it. */
	int undecided() {
		return count(SuiteReportFate::undecided);
	}

	/**
	 * The late closes of one test class: how many sockets, the bracket they closed in (from the
	 * earliest last sighting to the latest first absence), and the smallest grace that would have
	 * passed the tests of the class they failed, where one would have.
	 *
	 * @param graceMillis the smallest grace that would have passed the {@code passable} tests; 0 when none would
	 * @param passable the tests a grace of {@code graceMillis} would have passed
	 * @param alsoLeaked the tests that closed sockets late but leaked others too, which no grace passes
	 */
	record LateCloses(String testClass, int sockets, long fromMillis, long byMillis, long graceMillis, int passable,
			int alsoLeaked, boolean closerUnknown) {

		/** {@code 900ms} or {@code 2s}, as the grace is configured. */
		String grace() {
			return this.graceMillis % 1000 == 0 ? this.graceMillis / 1000 + "s" : this.graceMillis + "ms";
		}

		/** {@code 2 sockets closed between 1.4 s and 1.6 s after their test}. */
		String closed() {
			return this.sockets + (this.sockets == 1 ? " socket" : " sockets") + " closed between "
					+ SuiteReportFate.seconds(this.fromMillis) + " s and " + SuiteReportFate.secondsUp(this.byMillis)
					+ (this.sockets == 1 ? " s after its test" : " s after their test");
		}

		/** Which grace would have passed which of the tests. */
		String advice() {
			String leaked = this.alsoLeaked + (this.alsoLeaked == 1 ? " test" : " tests");
			if (this.passable == 0) {
				return "no grace would have passed " + (this.alsoLeaked == 1 ? "its test" : "its " + leaked)
						+ ", which leaked other sockets too";
			}
			return NoLingeringSocketsExtension.GRACE_KEY + "=" + grace() + " would have passed "
					+ (this.passable == 1 ? "its 1 test" : "its " + this.passable + " tests")
					+ (this.closerUnknown ? ", unless a later test or fixture closed " + (this.sockets == 1 ? "it" : "them")
							+ " (a traced run tells)" : "")
					+ (this.alsoLeaked == 0 ? "" : "; not " + leaked + " that leaked other sockets too");
		}
	}

	/**
	 * The smallest grace that would have passed a failed test, from how its sockets ended, or -1
	 * when none would have: it leaked more sockets than its tolerance allows (a close no read
	 * placed within the bound counts as a leak here). A test with tolerance {@code t} passes when
	 * at most {@code t} sockets linger after the grace: the leaks take up the tolerance first,
	 * then the latest late closes.
	 */
	static long graceThatPasses(Test test) {
		List<SuiteReportFate> fates = test.sockets().stream().map(Socket::fate)
			.filter(f -> f.kind() != SuiteReportFate.Kind.NONE).toList();
		long leaks = fates.stream().filter(f -> !f.lateClose()).count();
		List<Long> late = fates.stream().filter(SuiteReportFate::lateClose).map(SuiteReportFate::graceMillis).sorted()
			.toList();
		long mustClose = late.size() - (test.tolerance() - leaks);
		if (leaks > test.tolerance() || mustClose <= 0) {
			return -1;
		}
		return late.get((int) mustClose - 1);
	}

	/** The late closes per test class, in the order of the class names. */
	List<LateCloses> lateCloses() {
		Map<String, List<Test>> byClass = new TreeMap<>();
		for (Test test : this.tests) {
			if (test.failed() && test.sockets().stream().anyMatch(s -> s.fate().lateClose())) {
				byClass.computeIfAbsent(testClass(test.uniqueId()), k -> new ArrayList<>()).add(test);
			}
		}
		List<LateCloses> groups = new ArrayList<>();
		byClass.forEach((testClass, tests) -> {
			List<SuiteReportFate> late = tests.stream().flatMap(t -> t.sockets().stream()).map(Socket::fate)
				.filter(SuiteReportFate::lateClose).toList();
			long grace = 0;
			int passable = 0;
			for (Test test : tests) {
				long needed = graceThatPasses(test);
				if (needed >= 0) {
					grace = Math.max(grace, needed);
					passable++;
				}
			}
			groups.add(new LateCloses(testClass, late.size(),
					late.stream().mapToLong(SuiteReportFate::fromMillis).min().orElse(0),
					late.stream().mapToLong(SuiteReportFate::byMillis).max().orElse(0), grace, passable,
					tests.size() - passable, late.stream().anyMatch(SuiteReportFate::closerUnknown)));
		});
		return groups;
	}

	/** The leaks in one line: how many, and how each kind ended. */
	private String leakLine() {
		List<String> kinds = new ArrayList<>();
		if (lingeredToTheEnd() > 0) {
			kinds.add(lingeredToTheEnd() + " still lingering at the end of the run");
		}
		if (closedByCleaner() > 0) {
			kinds.add(closedByCleaner() + " ended when the JDK's cleaner closed " + (closedByCleaner() == 1 ? "it or its other end"
					: "them or their other ends") + ", garbage-collected without close()");
		}
		if (closedOnTestThread() > 0) {
			kinds.add(closedOnTestThread() + " closed later on " + (closedOnTestThread() == 1 ? "its test's" : "their test's")
					+ " own thread, by a later test or a fixture such as @AfterAll, which the grace keeps from running");
		}
		if (closedBeyondBound() > 0) {
			kinds.add(closedBeyondBound() + " closed more than " + SuiteReportFate.LATE_CLOSE_BOUND_MILLIS / 1000
					+ " s after " + (closedBeyondBound() == 1 ? "its test" : "their test")
					+ ", by something other than the teardown (a pool's idle eviction, a timeout)");
		}
		if (halvesOfLeaks() > 0) {
			kinds.add(halvesOfLeaks() + " FIN_WAIT2 dropped by the kernel while " + (halvesOfLeaks() == 1 ? "its" : "their")
					+ " other end stayed in CLOSE_WAIT (half of a leak)");
		}
		return leaks() + (leaks() == 1 ? " socket: " : " sockets: ") + String.join(", ", kinds)
				+ ". No grace passes a leak: fix the code that holds " + (leaks() == 1 ? "it" : "them");
	}

	private String undecidedLine() {
		List<SuiteReportFate> undecided = fates().stream().filter(SuiteReportFate::undecided).toList();
		return undecided.size() + (undecided.size() == 1 ? " socket" : " sockets") + " closed between "
				+ SuiteReportFate.seconds(undecided.stream().mapToLong(SuiteReportFate::fromMillis).min().orElse(0)) + " s and "
				+ SuiteReportFate.secondsUp(undecided.stream().mapToLong(SuiteReportFate::byMillis).max().orElse(0))
				+ (undecided.size() == 1 ? " s after its test" : " s after their test")
				+ ", and no read of the table in between tells a late close from a leak";
	}

	/** At most this many lines of late closes in the console; report.md lists them all. */
	private static final int LATE_CLOSE_LINES = 5;

	/**
	 * How the sockets that failed a test ended: the leaks, then the late closes of each test class
	 * with the grace that would have passed them, then the closes no read placed. A leak and a late
	 * close never share a line, nor its advice.
	 */
	private void appendFates(StringBuilder text) {
		if (fates().isEmpty()) {
			return;
		}
		if (leaks() > 0) {
			text.append("\n  leaks:        ").append(leakLine());
		}
		List<LateCloses> late = lateCloses();
		for (int i = 0; i < late.size() && i < LATE_CLOSE_LINES; i++) {
			LateCloses group = late.get(i);
			text.append("\n  closed late:  ").append(group.testClass()).append(": ").append(group.closed()).append("; ")
				.append(group.advice());
		}
		if (late.size() > LATE_CLOSE_LINES) {
			text.append("\n  closed late:  ").append(late.size() - LATE_CLOSE_LINES).append(" more test classes (report.md)");
		}
		if (undecided() > 0) {
			text.append("\n  undecided:    ").append(undecidedLine());
		}
	}

	/** The same, as a section of report.md. */
	private void appendFatesMarkdown(StringBuilder md) {
		if (fates().isEmpty()) {
			return;
		}
		md.append("\n## How the sockets that failed a test ended\n\n");
		md.append("- **Leaks**: ").append(leaks() > 0 ? markdownText(leakLine()) + ".\n" : "none.\n");
		List<LateCloses> late = lateCloses();
		md.append("- **Closed late**: ").append(late.isEmpty() ? "none.\n"
				: closedLate() + (closedLate() == 1 ? " socket" : " sockets") + ", by test class below: a larger `"
						+ NoLingeringSocketsExtension.GRACE_KEY + "` passes them, or close what holds them before the test"
						+ " ends.\n");
		if (undecided() > 0) {
			md.append("- **Undecided**: ").append(undecidedLine()).append(".\n");
		}
		if (!late.isEmpty()) {
			md.append("\n| test class | closed late | smallest grace that passes | tests it passes |\n"
					+ "| --- | --- | --- | ---: |\n");
			for (LateCloses group : late) {
				md.append("| ").append(markdownText(group.testClass())).append(" | ").append(group.closed()).append(" | ")
					.append(group.passable() == 0 ? markdownText(group.advice())
							: "`" + NoLingeringSocketsExtension.GRACE_KEY + "=" + group.grace() + "`")
					.append(" | ").append(group.passable()).append(" |\n");
			}
		}
	}

	/** The same, as fields of report.json. */
	private void appendFatesJson(StringBuilder json) {
		json.append("  \"stillLingeringAtTheEnd\": ").append(lingeredToTheEnd()).append(",\n");
		json.append("  \"closedLate\": ").append(closedLate()).append(",\n");
		json.append("  \"leaks\": ").append(leaks()).append(",\n");
		json.append("  \"closedByCleaner\": ").append(closedByCleaner()).append(",\n");
		json.append("  \"closedOnTestThread\": ").append(closedOnTestThread()).append(",\n");
		json.append("  \"closedBeyondBound\": ").append(closedBeyondBound()).append(",\n");
		json.append("  \"finWait2DroppedBesideCloseWait\": ").append(halvesOfLeaks()).append(",\n");
		json.append("  \"undecided\": ").append(undecided()).append(",\n");
		json.append("  \"lateCloses\": [");
		List<LateCloses> late = lateCloses();
		for (int i = 0; i < late.size(); i++) {
			LateCloses group = late.get(i);
			json.append(i == 0 ? "\n" : ",\n").append("    {\"testClass\": ").append(MessageText.json(group.testClass()))
				.append(", \"sockets\": ").append(group.sockets()).append(", \"closedFromMillis\": ").append(group.fromMillis())
				.append(", \"closedByMillis\": ").append(group.byMillis()).append(", \"grace\": ")
				.append(group.passable() == 0 ? "null" : MessageText.json(group.grace())).append(", \"testsPassed\": ")
				.append(group.passable()).append(", \"testsThatLeakedToo\": ").append(group.alsoLeaked())
				.append(", \"closerSeen\": ").append(!group.closerUnknown()).append('}');
		}
		json.append(late.isEmpty() ? "],\n" : "\n  ],\n");
	}

	/** A socket's fate in report.json: what the report says, whether it was a leak, and when it closed, where known. */
	private static String fateJson(SuiteReportFate fate) {
		if (fate.kind() == SuiteReportFate.Kind.NONE) {
			return "";
		}
		String closed = switch (fate.kind()) {
			case CLOSED, CLOSED_ON_ANOTHER_THREAD, CLOSED_ON_TEST_THREAD, CLEANER, OTHER_END_CLEANER,
					EXPIRED_BESIDE_CLOSE_WAIT -> ", \"closedFromMillis\": "
					+ fate.fromMillis() + ", \"closedByMillis\": " + fate.byMillis();
			default -> "";
		};
		return ", \"atTheEnd\": " + MessageText.json(fate.text()) + ", \"leak\": " + fate.leak() + closed;
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
		appendFates(text);
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
			appendFatesMarkdown(md);
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
						.append(" | ").append(socket.fate().text()).append(" |\n");
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
		appendFatesJson(json);
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
					.append(fateJson(s.fate()))
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
