/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the relative links and anchors in the project's Markdown that lead nowhere. Documentation
 * moves between pages, and a link that silently breaks sends a reader to GitHub's 404 page or to
 * the top of a long page instead of the section it promised. The files are given through a
 * {@link Tree}, so the checker itself can be tested on a few lines of Markdown held in memory.
 *
 * <p>Anchors are computed as GitHub computes them: the heading's text, lower-cased, with every
 * character removed that is not a letter, a digit, a space, a hyphen or an underscore, and each
 * space turned into a hyphen; the second heading with the same slug gets {@code -1}, the third
 * {@code -2}.
 */
final class DocLinks {

	/** The repository's files, by path relative to its root. */
	interface Tree {

		/** Whether a file or directory exists at that path. */
		boolean exists(Path path);

		/** The text of a Markdown file at that path, if there is one. */
		Optional<String> markdown(Path path);
	}

	/** One link as written, with the line it is on. */
	record Link(int line, String target) {
	}

	private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");

	private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");

	/** {@code [text](target)} and {@code ![alt](target)}, with an optional title after the target. */
	private static final Pattern INLINE = Pattern.compile("\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

	/** A reference definition, {@code [name]: target}. */
	private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?([^\\s>]+)>?");

	private static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");

	private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:[^>]*\\s)?(?:id|name)=\"([^\"]+)\"");

	/** Markdown links and images reduced to their text, as the rendered heading shows them. */
	private static final Pattern LINK_TEXT = Pattern.compile("!?\\[([^\\]]*)\\]\\([^)]*\\)");

	/** A URI scheme such as {@code https:} or {@code mailto:}: a link that leaves the repository. */
	private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

	private final Tree tree;

	DocLinks(Tree tree) {
		this.tree = tree;
	}

	/**
	 * The problems of one Markdown file: each broken link or anchor as
	 * {@code file:line: broken link (target): why}. Empty when every link resolves.
	 */
	List<String> check(Path file, String markdown) {
		List<String> problems = new ArrayList<>();
		Path directory = file.getParent() == null ? Path.of("") : file.getParent();
		for (Link link : links(markdown)) {
			String target = link.target();
			if (target.isEmpty() || SCHEME.matcher(target).find()) {
				continue;
			}
			int hash = target.indexOf('#');
			String pathPart = hash < 0 ? target : target.substring(0, hash);
			String anchor = hash < 0 ? null : target.substring(hash + 1);
			String where = file + ":" + link.line() + ": broken ";
			Path resolved;
			if (pathPart.isEmpty()) {
				resolved = file;
			}
			else {
				String decoded = URLDecoder.decode(pathPart.replace("+", "%2B"), StandardCharsets.UTF_8);
				resolved = decoded.startsWith("/") ? Path.of(decoded.substring(1)).normalize()
						: directory.resolve(decoded).normalize();
				if (resolved.startsWith("..")) {
					problems.add(where + "link (" + target + "): it points outside the repository");
					continue;
				}
				if (!tree.exists(resolved)) {
					problems.add(where + "link (" + target + "): " + resolved + " does not exist");
					continue;
				}
			}
			if (anchor == null || !resolved.toString().endsWith(".md")) {
				continue;
			}
			Optional<String> text = resolved.equals(file) ? Optional.of(markdown) : tree.markdown(resolved);
			if (text.isEmpty() || !anchors(text.get()).contains(anchor)) {
				problems.add(where + "anchor (" + target + "): no heading in " + resolved + " makes #" + anchor);
			}
		}
		return problems;
	}

	/** Every link target written in this Markdown, outside code blocks and code spans. */
	static List<Link> links(String markdown) {
		List<Link> links = new ArrayList<>();
		String[] lines = markdown.split("\n", -1);
		boolean inFence = false;
		for (int i = 0; i < lines.length; i++) {
			if (FENCE.matcher(lines[i]).find()) {
				inFence = !inFence;
				continue;
			}
			if (inFence) {
				continue;
			}
			String line = CODE_SPAN.matcher(lines[i]).replaceAll("");
			Matcher reference = REFERENCE.matcher(line);
			if (reference.find()) {
				links.add(new Link(i + 1, reference.group(1)));
				continue;
			}
			Matcher inline = INLINE.matcher(line);
			while (inline.find()) {
				links.add(new Link(i + 1, inline.group(1)));
			}
		}
		return links;
	}

	/** The anchors this Markdown offers: one per heading, as GitHub makes them, and HTML anchors. */
	static Set<String> anchors(String markdown) {
		Set<String> anchors = new LinkedHashSet<>();
		Map<String, Integer> seen = new HashMap<>();
		boolean inFence = false;
		for (String line : markdown.split("\n", -1)) {
			if (FENCE.matcher(line).find()) {
				inFence = !inFence;
				continue;
			}
			if (inFence) {
				continue;
			}
			Matcher heading = HEADING.matcher(line);
			if (heading.matches()) {
				String slug = slug(heading.group(2));
				int count = seen.merge(slug, 1, Integer::sum);
				anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
			}
			Matcher html = HTML_ANCHOR.matcher(line);
			while (html.find()) {
				anchors.add(html.group(1));
			}
		}
		return anchors;
	}

	/** The anchor GitHub gives a heading with this text. */
	static String slug(String heading) {
		String text = LINK_TEXT.matcher(heading).replaceAll("$1").toLowerCase(Locale.ROOT);
		StringBuilder slug = new StringBuilder(text.length());
		text.codePoints().forEach(c -> {
			if (c == ' ') {
				slug.append('-');
			}
			else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
				slug.appendCodePoint(c);
			}
		});
		return slug.toString();
	}
}
