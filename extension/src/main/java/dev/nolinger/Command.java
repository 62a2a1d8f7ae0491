/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.io.PrintStream;
import java.nio.file.Path;

import org.apiguardian.api.API;

/**
 * The diagnostic command, {@code java -jar nolinger-junit.jar}: lists every TCP socket in this
 * network namespace that lingers in FIN_WAIT2, CLOSE_WAIT or LAST_ACK, with its owning process,
 * its age when known, and what the state means. Run it with {@code --help} for the options.
 *
 * <p>Exit status: 0 when no socket lingers, 1 when some do, 2 for invalid options, 3 when the
 * socket table cannot be read (no {@code /proc}: not Linux).
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class Command {

	static final int NOTHING_LINGERS = 0;

	static final int SOCKETS_LINGER = 1;

	static final int INVALID_OPTIONS = 2;

	static final int NO_SOCKET_TABLE = 3;

	private Command() {
	}

	/**
	 * Runs the command on this machine's {@code /proc} and exits with its status.
	 *
	 * @param args the options; {@code --help} lists them
	 */
	public static void main(String[] args) {
		int status = run(args, System.out, System.err, Path.of("/proc"));
		System.out.flush();
		System.exit(status);
	}

	/**
	 * Runs the command and returns its exit status.
	 *
	 * @param procRoot where {@code /proc} is: {@code net/tcp}, {@code PID/fd} and
	 *     {@code sys/net/ipv4/tcp_fin_timeout} are read under it
	 */
	static int run(String[] args, PrintStream out, PrintStream err, Path procRoot) {
		CommandOptions options;
		try {
			options = CommandOptions.parse(args);
		}
		catch (CommandOptions.InvalidOptionException e) {
			err.println(CommandMessages.invalidOptions(e.getMessage()));
			return INVALID_OPTIONS;
		}
		if (options.help()) {
			out.println(CommandMessages.help());
			return NOTHING_LINGERS;
		}
		SocketTableSource source = new SocketTableProcSource(procRoot.resolve("net"));
		if (!source.isAvailable()) {
			err.println(CommandMessages.noSocketTable(source.describe()));
			return NO_SOCKET_TABLE;
		}
		CommandFindings report;
		try {
			report = CommandFindings.collect(source.read(), options, procRoot);
		}
		catch (SocketTableException e) {
			err.println(CommandMessages.unreadableTable(e));
			return NO_SOCKET_TABLE;
		}
		out.println(options.json() ? CommandMessages.json(report) : CommandMessages.text(report));
		return report.rows().isEmpty() ? NOTHING_LINGERS : SOCKETS_LINGER;
	}
}
