/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Writes {@code report.json} and {@code report.md}. Surefire forks are separate JVMs that finish
 * in any order, so each writes its part under {@code parts/}, and whichever finishes last has
 * merged every part of the same run. A run is named by the nearest ancestor JVM (Maven's for
 * Surefire forks) and its start time; parts of other runs are deleted.
 */
final class SuiteReportFiles {

	private SuiteReportFiles() {
	}

	/** Adds tests this JVM checked to the run's report and returns the whole run's report so far. */
	static SuiteReport write(Path directory, SuiteReport own) throws IOException {
		return write(directory, own, null);
	}

	/**
	 * Adds tests this JVM checked to the run's report and returns the whole run's report so far;
	 * with {@code stepSummary}, GitHub's job summary file, puts {@code report.md} in it too.
	 */
	static SuiteReport write(Path directory, SuiteReport own, @Nullable Path stepSummary) throws IOException {
		Path parts = directory.resolve("parts");
		Files.createDirectories(parts);
		String run = runTag();
		return ForkLock.holding(directory.resolve(".lock"), () -> {
			// Appended: one JVM may hold several launcher sessions in one run.
			Files.writeString(parts.resolve(run + "_" + ProcessHandle.current().pid() + ".tsv"), serialize(own),
					StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
			List<SuiteReport.Test> all = new ArrayList<>();
			CheckCost cost = CheckCost.NONE;
			try (DirectoryStream<Path> files = Files.newDirectoryStream(parts, "*.tsv")) {
				for (Path part : files) {
					if (part.getFileName().toString().startsWith(run + "_")) {
						String text = Files.readString(part, StandardCharsets.UTF_8);
						all.addAll(deserialize(text));
						cost = cost.plus(cost(text));
					}
					else {
						Files.deleteIfExists(part);
					}
				}
			}
			SuiteReport merged = new SuiteReport(all, cost);
			Files.writeString(directory.resolve("report.json"), merged.json(), StandardCharsets.UTF_8);
			Files.writeString(directory.resolve("report.md"), merged.markdown(), StandardCharsets.UTF_8);
			if (stepSummary != null) {
				try {
					SuiteReportGithub.stepSummary(stepSummary, run + " " + directory.toAbsolutePath(), merged.markdown());
				}
				catch (IOException e) {
					// The report itself was written; only the job summary misses it.
					System.err.println("nolinger: could not write the job summary to " + stepSummary + ": " + e);
				}
			}
			return merged;
		});
	}

	/**
	 * The nearest ancestor that is a JVM: Maven's for Surefire forks, which it starts through a
	 * shell, or the IDE's. Forks of one build share it; the next build has a new one.
	 */
	static String runTag() {
		Optional<ProcessHandle> ancestor = ProcessHandle.current().parent();
		for (int depth = 0; depth < 4 && ancestor.isPresent() && !isJava(ancestor.get()); depth++) {
			Optional<ProcessHandle> next = ancestor.get().parent();
			if (next.isEmpty()) {
				break;
			}
			ancestor = next;
		}
		return ancestor.or(() -> ProcessHandle.current().parent())
			.map(process -> "run-" + process.pid() + "-"
					+ process.info().startInstant().map(i -> String.valueOf(i.toEpochMilli())).orElse("0"))
			.orElse("run-standalone");
	}

	private static boolean isJava(ProcessHandle process) {
		return process.info().command().map(command -> command.endsWith("/java") || command.endsWith("\\java.exe"))
			.orElse(false);
	}

	static String serialize(SuiteReport report) {
		StringBuilder text = new StringBuilder();
		text.append(String.join("\t", "C", String.valueOf(report.cost().nanos()), escape(report.cost().fasterPath())))
			.append('\n');
		for (SuiteReport.Test test : report.tests()) {
			text.append(String.join("\t", "T", escape(test.uniqueId()), escape(test.name()),
					String.valueOf(test.failed()), String.valueOf(test.tolerance()), String.valueOf(test.passedByBaseline()),
					String.valueOf(test.notJudged())))
				.append('\n');
			for (SuiteReport.Socket s : test.sockets()) {
				text.append(String.join("\t", "S", s.state().name(), escape(s.role()), escape(s.local()),
						escape(s.remote()), String.valueOf(s.rule()), String.valueOf(s.serverPort()), escape(s.fate().encode())))
					.append('\n');
			}
			serializeNotJudged(test, text);
		}
		return text.toString();
	}

	static List<SuiteReport.Test> deserialize(String text) throws IOException {
		List<SuiteReport.Test> tests = new ArrayList<>();
		String[] pending = null;
		List<SuiteReport.Socket> sockets = new ArrayList<>();
		NotJudgedLines notJudged = new NotJudgedLines();
		for (String line : text.split("\n")) {
			if (line.isEmpty()) {
				continue;
			}
			String[] f = line.split("\t", -1);
			try {
				if (f[0].equals("C") && f.length == 3 && CheckCost.parse(f[1], f[2]) != null) {
					continue;
				}
				if (f[0].equals("T") && f.length == 7) {
					if (pending != null) {
						tests.add(test(pending, sockets, notJudged));
					}
					pending = f;
					sockets = new ArrayList<>();
					notJudged = new NotJudgedLines();
				}
				else if ((f[0].equals("N") || f[0].equals("O")) && pending != null && unjudged(f, notJudged)) {
					continue;
				}
				else if (f[0].equals("S") && f.length == 8 && pending != null) {
					sockets.add(new SuiteReport.Socket(TcpState.valueOf(f[1]), unescape(f[2]), unescape(f[3]),
							unescape(f[4]), Integer.parseInt(f[5]), Integer.parseInt(f[6]), SuiteReportFate.decode(unescape(f[7]))));
				}
				else {
					throw new IOException("malformed report part line: " + line);
				}
			}
			catch (IllegalArgumentException e) {
				throw new IOException("malformed report part line: " + line, e);
			}
		}
		if (pending != null) {
			tests.add(test(pending, sockets, notJudged));
		}
		return tests;
	}

	/** The cost lines of a part, summed: one per session of its JVM. */
	static CheckCost cost(String text) {
		CheckCost cost = CheckCost.NONE;
		for (String line : text.split("\n")) {
			String[] f = line.split("\t", -1);
			if (f[0].equals("C") && f.length == 3) {
				CheckCost one = CheckCost.parse(f[1], unescape(f[2]));
				cost = one == null ? cost : cost.plus(one);
			}
		}
		return cost;
	}

	private static SuiteReport.Test test(String[] f, List<SuiteReport.Socket> sockets, NotJudgedLines notJudged) {
		return new SuiteReport.Test(unescape(f[1]), unescape(f[2]), Integer.parseInt(f[4]), Boolean.parseBoolean(f[3]),
				sockets, Integer.parseInt(f[5]), Integer.parseInt(f[6]), List.copyOf(notJudged.sockets),
				List.copyOf(notJudged.ranAlongside));
	}

	/** The unjudged sockets of the test above ({@code N} lines) and who ran alongside it (one {@code O} line). */
	private static final class NotJudgedLines {

		final List<SuiteReport.Unjudged> sockets = new ArrayList<>();

		final List<String> ranAlongside = new ArrayList<>();
	}

	private static void serializeNotJudged(SuiteReport.Test test, StringBuilder text) {
		for (SuiteReport.Unjudged s : test.unjudged()) {
			text.append(String.join("\t", "N", s.state().name(), escape(s.role()), escape(s.local()), escape(s.remote()),
					escape(s.where()))).append('\n');
		}
		if (!test.ranAlongside().isEmpty()) {
			List<String> fields = new ArrayList<>(List.of("O"));
			test.ranAlongside().forEach(name -> fields.add(escape(name)));
			text.append(String.join("\t", fields)).append('\n');
		}
	}

	/** Reads an {@code N} or {@code O} line into {@code notJudged}; false when it is malformed. */
	private static boolean unjudged(String[] f, NotJudgedLines notJudged) {
		if (f[0].equals("N") && f.length == 6) {
			notJudged.sockets.add(new SuiteReport.Unjudged(TcpState.valueOf(f[1]), unescape(f[2]), unescape(f[3]),
					unescape(f[4]), unescape(f[5])));
			return true;
		}
		if (f[0].equals("O")) {
			for (int i = 1; i < f.length; i++) {
				notJudged.ranAlongside.add(unescape(f[i]));
			}
			return true;
		}
		return false;
	}

	private static String escape(String text) {
		return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
	}

	private static String unescape(String text) {
		StringBuilder out = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\\' && i + 1 < text.length()) {
				char next = text.charAt(++i);
				out.append(switch (next) {
					case 't' -> '\t';
					case 'n' -> '\n';
					case 'r' -> '\r';
					default -> next;
				});
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}
}
