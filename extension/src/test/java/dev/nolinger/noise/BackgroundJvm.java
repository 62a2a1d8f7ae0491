/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.noise;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on the test classpath running one of this package's mains. Closing it closes the
 * child's standard input, which makes the child exit; it is then destroyed if still alive.
 */
public final class BackgroundJvm implements AutoCloseable {

	private final Process process;
	private final BufferedReader output;
	private final List<String> lines = new ArrayList<>();

	private BackgroundJvm(Process process) {
		this.process = process;
		this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
	}

	public static BackgroundJvm start(Class<?> main, String... args) throws IOException {
		return start(List.of(), main, args);
	}

	/** A child JVM with {@code jvmOptions} before the main class, and none of this JVM's own options. */
	public static BackgroundJvm start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
		command.addAll(jvmOptions);
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
		command.addAll(List.of(args));
		return new BackgroundJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
	}

	/** Sends one line to the child's standard input. */
	public void send(String line) throws IOException {
		this.process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
		this.process.getOutputStream().flush();
	}

	/** Waits, bounded, for the child's next line that starts with {@code prefix}, and returns it. */
	public String awaitLineStartingWith(String prefix, Duration timeout) throws Exception {
		CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
			try {
				for (String read; (read = this.output.readLine()) != null;) {
					synchronized (this.lines) {
						this.lines.add(read);
					}
					if (read.startsWith(prefix)) {
						return read;
					}
				}
				throw new IllegalStateException("child exited before printing '" + prefix + "...': " + this.lines);
			}
			catch (IOException e) {
				throw new IllegalStateException(e);
			}
		});
		return seen.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	public long pid() {
		return this.process.pid();
	}

	/** Waits, bounded, for the child to print {@code line}. */
	public void awaitLine(String line, Duration timeout) throws Exception {
		CompletableFuture<Void> seen = CompletableFuture.runAsync(() -> {
			try {
				for (String read; (read = this.output.readLine()) != null;) {
					synchronized (this.lines) {
						this.lines.add(read);
					}
					if (read.equals(line)) {
						return;
					}
				}
				throw new IllegalStateException("child exited before printing '" + line + "': " + this.lines);
			}
			catch (IOException e) {
				throw new IllegalStateException(e);
			}
		});
		seen.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Reads the rest of the child's output until it exits, bounded. */
	public List<String> finish(Duration timeout) throws Exception {
		this.process.getOutputStream().close();
		CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
			try {
				for (String read; (read = this.output.readLine()) != null;) {
					synchronized (this.lines) {
						this.lines.add(read);
					}
				}
			}
			catch (IOException e) {
				// the child is gone
			}
		});
		drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
		synchronized (this.lines) {
			return List.copyOf(this.lines);
		}
	}

	@Override
	public void close() throws IOException {
		try {
			this.process.getOutputStream().close();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		finally {
			this.output.close();
		}
	}
}
