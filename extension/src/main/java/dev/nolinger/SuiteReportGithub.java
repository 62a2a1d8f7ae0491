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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The findings where GitHub Actions shows them: an {@code ::error} workflow command per failed
 * socket, on the line of the test's code that the message's {@code Fix:} names, and
 * {@code report.md} in the job summary. The format is GitHub's "workflow commands" page.
 */
final class SuiteReportGithub {

	private SuiteReportGithub() {
	}

	/**
	 * One annotation: the frame the fix names (its class, to find the source file by package,
	 * its file name and line) and what it says.
	 */
	record Annotation(String className, String fileName, int line, String title, String message) {
	}

	/**
	 * The annotations of a failure: one per socket the fix names, where the fix names a line,
	 * identical ones once. A FIN_WAIT2 whose other end is this JVM's needs no fix of its own.
	 */
	static List<Annotation> annotations(CheckTarget target, List<Finding> failed, Duration grace) {
		Set<Annotation> annotations = new LinkedHashSet<>();
		for (Finding finding : Messages.toFix(Messages.inOrder(failed))) {
			LedgerSocket traced = finding.traced();
			if (traced == null) {
				continue;
			}
			// The line Messages.fix names: the close of an end this JVM closed toward a peer that never did;
			// else where it was opened, or, when no frame of that is the test's, where the test started the
			// server or the thread that opened it (the error's own stack starts there).
			LedgerSocket.Event closed = finding.socket().state() == TcpState.FIN_WAIT2 ? traced.closed() : null;
			StackTraceElement[] stack = closed != null ? (closed.stack() == null ? null : closed.stack().getStackTrace())
					: Messages.errorStack(List.of(finding), target.ownClasses(), true);
			StackTraceElement anchor = stack == null || stack.length == 0 ? null
					: LedgerFrames.anchor(stack, target.ownClasses());
			if (anchor == null || anchor.getFileName() == null || anchor.getLineNumber() <= 0) {
				continue;
			}
			TcpSocket socket = finding.socket();
			String fix = Messages.fix(List.of(finding), target.ownClasses(), grace).orElseThrow();
			annotations.add(new Annotation(anchor.getClassName(), anchor.getFileName(), anchor.getLineNumber(),
					"nolinger: socket lingering after " + target.name(),
					socket.state() + " " + finding.role().label() + " " + socket.tuple() + "\n" + fix));
		}
		return List.copyOf(annotations);
	}

	/**
	 * The workflow commands of {@code annotations}, one line each, when the run is in GitHub
	 * Actions; none elsewhere. A file found under the project's source roots is named relative
	 * to {@code GITHUB_WORKSPACE} (else to the working directory); one not found (a library's
	 * frame) gets an annotation without a file, which the run's summary page still lists.
	 */
	static List<String> commands(List<Annotation> annotations, Function<String, @Nullable String> environment,
			Path workingDirectory) {
		if (!"true".equals(environment.apply("GITHUB_ACTIONS"))) {
			return List.of();
		}
		String workspace = environment.apply("GITHUB_WORKSPACE");
		Path base = workspace == null || workspace.isEmpty() ? workingDirectory.toAbsolutePath()
				: Path.of(workspace).toAbsolutePath();
		List<String> commands = new ArrayList<>();
		for (Annotation annotation : annotations) {
			Path source = source(workingDirectory, annotation.className(), annotation.fileName());
			StringBuilder command = new StringBuilder("::error ");
			if (source != null) {
				Path absolute = source.toAbsolutePath().normalize();
				String file = absolute.startsWith(base.normalize()) ? base.normalize().relativize(absolute).toString()
						: absolute.toString();
				command.append("file=").append(property(file.replace('\\', '/'))).append(",line=").append(annotation.line())
					.append(',');
			}
			command.append("title=").append(property(annotation.title())).append("::").append(data(annotation.message()));
			commands.add(command.toString());
		}
		return commands;
	}

	/**
	 * The source file of a frame: {@code src/<set>/<language>/<package path>/<file name>} under
	 * the module's directory, test sources first; null when none exists.
	 */
	static @Nullable Path source(Path moduleDirectory, String className, String fileName) {
		int dot = className.lastIndexOf('.');
		String packagePath = dot < 0 ? "" : className.substring(0, dot).replace('.', '/');
		Path src = moduleDirectory.resolve("src");
		List<Path> roots = new ArrayList<>();
		for (String set : List.of("test", "main")) {
			roots.addAll(children(src.resolve(set)));
		}
		for (Path set : children(src)) {
			if (!set.getFileName().toString().equals("test") && !set.getFileName().toString().equals("main")) {
				roots.addAll(children(set));
			}
		}
		for (Path root : roots) {
			Path candidate = root.resolve(packagePath).resolve(fileName);
			if (Files.isRegularFile(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	private static List<Path> children(Path directory) {
		List<Path> children = new ArrayList<>();
		if (!Files.isDirectory(directory)) {
			return children;
		}
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, Files::isDirectory)) {
			entries.forEach(children::add);
		}
		catch (IOException e) {
			// an unreadable directory holds no source we could name
		}
		children.sort(null);
		return children;
	}

	/**
	 * Puts {@code markdown} into the job summary file, once per run and report directory: every
	 * fork writes the run's report merged so far, so a later fork replaces an earlier one's section.
	 * The caller holds the report directory's lock.
	 */
	static void stepSummary(Path summary, String section, String markdown) throws IOException {
		String start = "<!-- nolinger report: " + section + " -->\n";
		String end = "<!-- end of nolinger report: " + section + " -->\n";
		String text = Files.exists(summary) ? Files.readString(summary, StandardCharsets.UTF_8) : "";
		int from = text.indexOf(start);
		int to = from < 0 ? -1 : text.indexOf(end, from);
		// A blank line before the end marker, so that no table of the report runs into it.
		String block = start + markdown + "\n" + end;
		if (to < 0) {
			String separator = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
			Files.writeString(summary, separator + block, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		else {
			Files.writeString(summary, text.substring(0, from) + block + text.substring(to + end.length()),
					StandardCharsets.UTF_8);
		}
	}

	/** A workflow command's message: {@code %}, CR and LF escaped. */
	static String data(String text) {
		return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
	}

	/** A workflow command's property value: as {@link #data}, and {@code :} and {@code ,} too. */
	static String property(String text) {
		return data(text).replace(":", "%3A").replace(",", "%2C");
	}
}
