/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The README and {@code docs/} link to each other by relative paths and anchors; a page that moves
 * or a heading that is reworded must fail the build rather than leave readers at a dead link.
 */
class DocLinksTests {

	@Test
	void everyRelativeLinkAndAnchorInTheReadmeAndDocsResolves() throws IOException {
		Path root = repositoryRoot();
		List<Path> pages = new ArrayList<>();
		pages.add(Path.of("README.md"));
		try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
			docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(p -> pages.add(root.relativize(p)));
		}
		DocLinks checker = new DocLinks(onDisk(root));
		List<String> problems = new ArrayList<>();
		int links = 0;
		for (Path page : pages) {
			String markdown = Files.readString(root.resolve(page));
			links += DocLinks.links(markdown).size();
			problems.addAll(checker.check(page, markdown));
		}

		assertThat(pages).as("the README and the docs pages").hasSizeGreaterThan(2);
		assertThat(links).as("links checked").isGreaterThan(pages.size());
		assertThat(problems).as("broken links in README.md and docs/").isEmpty();
	}

	@Test
	void theReadmeLinksEveryDocsPage() throws IOException {
		Path root = repositoryRoot();
		List<String> linked = DocLinks.links(Files.readString(root.resolve("README.md")))
			.stream()
			.map(link -> link.target().replaceFirst("#.*", ""))
			.toList();
		try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
			assertThat(docs.filter(p -> p.toString().endsWith(".md"))
				.map(p -> "docs/" + p.getFileName())
				.filter(page -> !linked.contains(page))
				.sorted()
				.toList()).as("docs pages the README does not link").isEmpty();
		}
	}

	@Test
	void aLinkToAMissingFileIsReportedWithItsLine() {
		DocLinks checker = new DocLinks(inMemory(Map.of("docs/a.md", "# A\n")));

		assertThat(checker.check(Path.of("README.md"), "# Title\n\nSee [a](docs/a.md) and [b](docs/b.md).\n"))
			.containsExactly("README.md:3: broken link (docs/b.md): docs/b.md does not exist");
	}

	@Test
	void aLinkIsResolvedFromTheDirectoryOfItsPage() {
		DocLinks checker = new DocLinks(inMemory(Map.of("README.md", "# nolinger\n", "docs/b.md", "# B\n")));

		assertThat(checker.check(Path.of("docs/a.md"), "[up](../README.md), [beside](b.md), [wrong](docs/b.md)\n"))
			.containsExactly("docs/a.md:1: broken link (docs/b.md): docs/docs/b.md does not exist");
	}

	@Test
	void aLinkToAMissingAnchorInAnotherPageIsReported() {
		DocLinks checker = new DocLinks(inMemory(Map.of("docs/tracing.md", """
				# Tracing: where a socket was opened

				## Turning tracing on
				""")));

		assertThat(checker.check(Path.of("README.md"), """
				[on](docs/tracing.md#turning-tracing-on)
				[title](docs/tracing.md#tracing-where-a-socket-was-opened)
				[gone](docs/tracing.md#what-tracing-costs)
				"""))
			.containsExactly(
					"README.md:3: broken anchor (docs/tracing.md#what-tracing-costs): no heading in docs/tracing.md makes #what-tracing-costs");
	}

	@Test
	void aLinkToAMissingAnchorInItsOwnPageIsReported() {
		DocLinks checker = new DocLinks(inMemory(Map.of()));

		assertThat(checker.check(Path.of("docs/a.md"), """
				# Reading a failure

				See [below](#reading-fin_wait2-versus-close_wait) and [nowhere](#reading-finwait2).

				## Reading FIN_WAIT2 versus CLOSE_WAIT
				"""))
			.containsExactly("docs/a.md:3: broken anchor (#reading-finwait2): no heading in docs/a.md makes #reading-finwait2");
	}

	@Test
	void linksOutsideTheRepositoryAreReported() {
		DocLinks checker = new DocLinks(inMemory(Map.of()));

		assertThat(checker.check(Path.of("docs/a.md"), "[elsewhere](../../elsewhere/notes.md)\n"))
			.containsExactly("docs/a.md:1: broken link (../../elsewhere/notes.md): it points outside the repository");
	}

	@Test
	void externalLinksCodeAndAnchorsOfOtherFilesAreLeftAlone() {
		DocLinks checker = new DocLinks(inMemory(Map.of("src/Main.java", "class Main {}\n")));

		assertThat(checker.check(Path.of("README.md"), """
				[PIT](https://pitest.org), [mail](mailto:someone@example.com), [line](src/Main.java#L1)
				`[not a link](missing.md)`

				```
				[not a link either](missing.md)
				```
				"""))
			.isEmpty();
	}

	@Test
	void aDirectoryIsALinkTarget() {
		DocLinks checker = new DocLinks(inMemory(Map.of("benchmarks/src/Bench.java", "")));

		assertThat(checker.check(Path.of("docs/p.md"), "[`benchmarks/`](../benchmarks/src)\n")).isEmpty();
	}

	@Test
	void slugsFollowGitHub() {
		assertThat(DocLinks.slug("What tracing covers, and what it does not"))
			.isEqualTo("what-tracing-covers-and-what-it-does-not");
		assertThat(DocLinks.slug("Adopting on a big suite: the baseline file")).isEqualTo("adopting-on-a-big-suite-the-baseline-file");
		assertThat(DocLinks.slug("`nolinger.grace` and **bold** [linked](x.md)")).isEqualTo("nolingergrace-and-bold-linked");
		assertThat(DocLinks.slug("Java 17–21 read `/proc`")).isEqualTo("java-1721-read-proc");
		assertThat(DocLinks.slug("Reading FIN_WAIT2 versus CLOSE_WAIT")).isEqualTo("reading-fin_wait2-versus-close_wait");
	}

	@Test
	void repeatedHeadingsAreNumberedAndCodeBlocksHaveNone() {
		assertThat(DocLinks.anchors("""
				# Usage
				## Usage ##
				```
				# not a heading
				```
				### Usage
				<a id="custom"></a>
				"""))
			.containsExactly("usage", "usage-1", "usage-2", "custom");
	}

	/** The directory above the module that holds the README and {@code docs/}. */
	private static Path repositoryRoot() {
		Path start = Path.of("").toAbsolutePath();
		for (Path dir = start; dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
				return dir;
			}
		}
		throw new IllegalStateException("No directory from " + start + " upwards holds README.md and docs/");
	}

	private static DocLinks.Tree onDisk(Path root) {
		return new DocLinks.Tree() {
			@Override
			public boolean exists(Path path) {
				return Files.exists(root.resolve(path));
			}

			@Override
			public Optional<String> markdown(Path path) {
				Path file = root.resolve(path);
				if (!Files.isRegularFile(file)) {
					return Optional.empty();
				}
				try {
					return Optional.of(Files.readString(file));
				}
				catch (IOException e) {
					throw new UncheckedIOException(e);
				}
			}
		};
	}

	/** Files by their path from the root; a directory exists when a file lies under it. */
	private static DocLinks.Tree inMemory(Map<String, String> files) {
		return new DocLinks.Tree() {
			@Override
			public boolean exists(Path path) {
				return files.keySet().stream().map(Path::of).anyMatch(file -> file.startsWith(path));
			}

			@Override
			public Optional<String> markdown(Path path) {
				return Optional.ofNullable(files.get(path.toString()));
			}
		};
	}
}
