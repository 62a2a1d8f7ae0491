/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

/**
 * Text from outside (a corrupt {@code /proc} line, a process's command line, a test's name) made
 * safe to show: on a terminal, or in a JSON document.
 */
final class MessageText {

	private MessageText() {
	}

	/**
	 * The text with every control character shown as {@code \xNN}, so none can garble a terminal:
	 * C0 controls ({@code 0x00}-{@code 0x1F}), DEL ({@code 0x7F}) and C1 controls
	 * ({@code 0x80}-{@code 0x9F}, which some terminals also act on). Printable characters beyond
	 * ASCII, such as an accented letter in a command line, stay as they are.
	 */
	static String printable(String text) {
		StringBuilder out = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
				out.append(String.format("\\x%02X", (int) c));
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

	/** A JSON string, ASCII only, so no console encoding can garble it. */
	static String json(String value) {
		StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> quoted.append("\\\"");
				case '\\' -> quoted.append("\\\\");
				case '\n' -> quoted.append("\\n");
				case '\r' -> quoted.append("\\r");
				case '\t' -> quoted.append("\\t");
				case '\b' -> quoted.append("\\b");
				case '\f' -> quoted.append("\\f");
				default -> {
					if (c < 0x20 || c > 0x7E) {
						quoted.append(String.format("\\u%04x", (int) c));
					}
					else {
						quoted.append(c);
					}
				}
			}
		}
		return quoted.append('"').toString();
	}
}
