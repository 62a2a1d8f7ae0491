/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.List;

/**
 * The sockets left unjudged because other checked tests ran alongside: what the suite report
 * lists of them, so that they can be inspected, since under Maven no report entry reaches the
 * user. Each is listed with where the ledger saw it opened (the line, the thread and who started
 * it, the server that accepted it) and the tests and classes whose windows overlapped: one of
 * those, or the test itself, left it. Class containers count too: a class's own findings (what
 * no test of it reported) are as unjudged as a test's when other classes ran alongside.
 */
final class NotJudged {

	/** How many of the overlapping tests and classes report.md names before "and N more". */
	static final int NAMED = 5;

	private NotJudged() {
	}

	/**
	 * What the extension hands over for one test or class, until the report listener takes it.
	 *
	 * @param name the test or class as messages name it
	 * @param ranAlongside the tests and classes whose windows overlapped, as messages name them
	 */
	record Pending(String name, int tolerance, List<SuiteReport.Unjudged> sockets, List<String> ranAlongside) {
	}

	/**
	 * The record of {@code target}'s unjudged findings.
	 *
	 * @param overlapped the unique IDs of the tests and classes that ran alongside
	 */
	static Pending of(CheckTarget target, int tolerance, List<Finding> unproven, List<String> overlapped) {
		List<SuiteReport.Unjudged> sockets = new ArrayList<>();
		for (Finding finding : Messages.inOrder(unproven)) {
			TcpSocket socket = finding.socket();
			sockets.add(new SuiteReport.Unjudged(socket.state(), finding.role().label(), socket.local().toString(),
					socket.remote().toString(), Messages.whereOpened(finding, target.ownClasses())));
		}
		List<String> alongside = overlapped.stream().sorted().map(LedgerLineage::testName).distinct().toList();
		return new Pending(target.name(), tolerance, sockets, alongside);
	}

	/** {@code 3 sockets in 2 tests and 1 class}. */
	static String counted(SuiteReport report) {
		int sockets = report.socketsNotJudged();
		int tests = report.testsNotJudged();
		int classes = report.classesNotJudged();
		String in = tests > 0 && classes > 0 ? tests(tests) + " and " + classes(classes)
				: tests > 0 ? tests(tests) : classes(classes);
		return sockets + (sockets == 1 ? " socket" : " sockets") + " in " + in;
	}

	private static String tests(int n) {
		return n + (n == 1 ? " test" : " tests");
	}

	private static String classes(int n) {
		return n + (n == 1 ? " class" : " classes");
	}

	/** The section of report.md: each test or class with its unjudged sockets, where each was opened. */
	static void markdown(SuiteReport report, StringBuilder md) {
		if (report.socketsNotJudged() == 0) {
			return;
		}
		md.append("\n## Not judged\n\n").append(counted(report))
			.append(" were not judged: other checked tests ran alongside, so the socket table could not tell whose they"
					+ " were, and they failed no test. Each was left by its test or by one that ran alongside.\n");
		for (SuiteReport.Test test : report.sorted()) {
			if (test.notJudged() == 0) {
				continue;
			}
			md.append("\n### ").append(SuiteReport.markdownText(test.name())).append(" (").append(test.notJudged())
				.append(test.notJudged() == 1 ? " socket" : " sockets");
			List<String> alongside = test.ranAlongside();
			if (!alongside.isEmpty()) {
				md.append("; ran alongside ").append(SuiteReport.markdownText(String.join(", ",
						alongside.subList(0, Math.min(NAMED, alongside.size())))));
				if (alongside.size() > NAMED) {
					md.append(" and ").append(alongside.size() - NAMED).append(" more");
				}
			}
			md.append(")\n\n| state | end | local | remote | where |\n| --- | --- | --- | --- | --- |\n");
			for (SuiteReport.Unjudged socket : test.unjudged()) {
				md.append("| ").append(socket.state()).append(" | ").append(socket.role()).append(" | ")
					.append(socket.local()).append(" | ").append(socket.remote()).append(" | ")
					.append(socket.where().isEmpty() ? "not traced" : SuiteReport.markdownText(socket.where()))
					.append(" |\n");
			}
		}
	}

	/** The test's entry in report.json, continued: its unjudged sockets and who ran alongside, when any. */
	static void json(SuiteReport.Test test, StringBuilder json) {
		if (test.notJudged() == 0) {
			return;
		}
		json.append(", \"notJudged\": [");
		for (int i = 0; i < test.unjudged().size(); i++) {
			SuiteReport.Unjudged s = test.unjudged().get(i);
			json.append(i == 0 ? "" : ", ").append("{\"state\": ").append(MessageText.json(s.state().name()))
				.append(", \"end\": ").append(MessageText.json(s.role())).append(", \"local\": ")
				.append(MessageText.json(s.local())).append(", \"remote\": ").append(MessageText.json(s.remote()))
				.append(", \"where\": ").append(s.where().isEmpty() ? "null" : MessageText.json(s.where())).append('}');
		}
		json.append("], \"ranAlongside\": [");
		for (int i = 0; i < test.ranAlongside().size(); i++) {
			json.append(i == 0 ? "" : ", ").append(MessageText.json(test.ranAlongside().get(i)));
		}
		json.append(']');
	}
}
