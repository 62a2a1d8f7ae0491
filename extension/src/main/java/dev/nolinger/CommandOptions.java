/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The options of {@link Command}, parsed by hand so the jar needs no CLI library.
 *
 * @param states the states to list
 * @param port only sockets with this local or remote port, when present
 * @param pid only sockets whose row names this process, when present
 * @param json whether to print JSON instead of a table
 * @param help whether to print the usage and do nothing else
 */
record CommandOptions(Set<TcpState> states, OptionalInt port, OptionalLong pid, boolean json, boolean help) {

	static final Set<TcpState> DEFAULT_STATES = Collections
		.unmodifiableSet(EnumSet.of(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT, TcpState.LAST_ACK));

	/** A command line the command cannot run with; the message says why. */
	static final class InvalidOptionException extends Exception {

		private static final long serialVersionUID = 1L;

		InvalidOptionException(String message) {
			super(message);
		}
	}

	static CommandOptions parse(String... args) throws InvalidOptionException {
		Set<TcpState> states = null;
		OptionalInt port = OptionalInt.empty();
		OptionalLong pid = OptionalLong.empty();
		boolean json = false;
		boolean help = false;
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			String name = arg;
			String value = null;
			int equals = arg.indexOf('=');
			if (arg.startsWith("--") && equals > 0) {
				name = arg.substring(0, equals);
				value = arg.substring(equals + 1);
			}
			switch (name) {
				case "-h", "--help", "--json" -> {
					if (value != null) {
						throw new InvalidOptionException(CommandMessages.optionTakesNoValue(name));
					}
					if (name.equals("--json")) {
						json = true;
					}
					else {
						help = true;
					}
				}
				case "--port", "--pid", "--states" -> {
					if (value == null) {
						// "--port --json" is a forgotten value, not a port named "--json".
						if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
							throw new InvalidOptionException(CommandMessages.optionNeedsValue(name));
						}
						value = args[++i];
					}
					switch (name) {
						case "--port" -> {
							requireOnce(name, port.isPresent());
							port = OptionalInt.of(port(value));
						}
						case "--pid" -> {
							requireOnce(name, pid.isPresent());
							pid = OptionalLong.of(pid(value));
						}
						default -> {
							requireOnce(name, states != null);
							states = states(value);
						}
					}
				}
				default -> throw new InvalidOptionException(arg.startsWith("-") ? CommandMessages.unknownOption(arg)
						: CommandMessages.unexpectedArgument(arg));
			}
		}
		return new CommandOptions(states == null ? DEFAULT_STATES : states, port, pid, json, help);
	}

	private static void requireOnce(String name, boolean alreadyGiven) throws InvalidOptionException {
		if (alreadyGiven) {
			throw new InvalidOptionException(CommandMessages.optionRepeated(name));
		}
	}

	private static int port(String value) throws InvalidOptionException {
		long port = number(value);
		if (port < 1 || port > 65535) {
			throw new InvalidOptionException(CommandMessages.invalidPort(value));
		}
		return (int) port;
	}

	private static long pid(String value) throws InvalidOptionException {
		long pid = number(value);
		if (pid < 1) {
			throw new InvalidOptionException(CommandMessages.invalidPid(value));
		}
		return pid;
	}

	/** A plain decimal number, or -1: no sign, no spaces, no hex. */
	private static long number(String value) {
		if (value.isEmpty() || value.length() > 18) {
			return -1;
		}
		for (int i = 0; i < value.length(); i++) {
			if (value.charAt(i) < '0' || value.charAt(i) > '9') {
				return -1;
			}
		}
		return Long.parseLong(value);
	}

	/** Accepts {@code TcpState} names in any case, and ss's spelling with '-' ({@code close-wait}). */
	private static Set<TcpState> states(String value) throws InvalidOptionException {
		Set<TcpState> states = EnumSet.noneOf(TcpState.class);
		for (String part : value.split(",", -1)) {
			String name = part.strip().toUpperCase(Locale.ROOT).replace('-', '_');
			if (name.isEmpty()) {
				throw new InvalidOptionException(CommandMessages.emptyState(value));
			}
			try {
				states.add(TcpState.valueOf(name));
			}
			catch (IllegalArgumentException e) {
				throw new InvalidOptionException(CommandMessages.unknownState(part.strip()));
			}
		}
		return Collections.unmodifiableSet(states);
	}
}
