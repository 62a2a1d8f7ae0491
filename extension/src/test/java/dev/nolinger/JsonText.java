/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of RFC 8259 JSON for tests: objects become maps, arrays lists, numbers longs
 * (the command prints integers only). It proves the hand-written JSON is well-formed and
 * round-trips escaped strings.
 */
final class JsonText {

	private final String text;
	private int pos;

	private JsonText(String text) {
		this.text = text;
	}

	static Object parse(String text) {
		JsonText reader = new JsonText(text);
		Object value = reader.value();
		reader.skipWhitespace();
		if (reader.pos != text.length()) {
			throw reader.error("trailing text");
		}
		return value;
	}

	private Object value() {
		skipWhitespace();
		if (this.pos >= this.text.length()) {
			throw error("unexpected end");
		}
		char c = this.text.charAt(this.pos);
		return switch (c) {
			case '{' -> object();
			case '[' -> array();
			case '"' -> string();
			case 't' -> literal("true", Boolean.TRUE);
			case 'f' -> literal("false", Boolean.FALSE);
			case 'n' -> literal("null", null);
			default -> number();
		};
	}

	private Map<String, Object> object() {
		Map<String, Object> object = new LinkedHashMap<>();
		this.pos++;
		skipWhitespace();
		if (peek() == '}') {
			this.pos++;
			return object;
		}
		while (true) {
			skipWhitespace();
			String key = string();
			skipWhitespace();
			expect(':');
			if (object.containsKey(key)) {
				throw error("duplicate key " + key);
			}
			object.put(key, value());
			skipWhitespace();
			if (peek() == ',') {
				this.pos++;
				continue;
			}
			expect('}');
			return object;
		}
	}

	private List<Object> array() {
		List<Object> array = new ArrayList<>();
		this.pos++;
		skipWhitespace();
		if (peek() == ']') {
			this.pos++;
			return array;
		}
		while (true) {
			array.add(value());
			skipWhitespace();
			if (peek() == ',') {
				this.pos++;
				continue;
			}
			expect(']');
			return array;
		}
	}

	private String string() {
		expect('"');
		StringBuilder out = new StringBuilder();
		while (true) {
			char c = next();
			if (c == '"') {
				return out.toString();
			}
			if (c < 0x20) {
				throw error("raw control character in a string");
			}
			if (c != '\\') {
				out.append(c);
				continue;
			}
			char e = next();
			switch (e) {
				case '"', '\\', '/' -> out.append(e);
				case 'b' -> out.append('\b');
				case 'f' -> out.append('\f');
				case 'n' -> out.append('\n');
				case 'r' -> out.append('\r');
				case 't' -> out.append('\t');
				case 'u' -> {
					if (this.pos + 4 > this.text.length()) {
						throw error("short \\u escape");
					}
					out.append((char) Integer.parseInt(this.text.substring(this.pos, this.pos + 4), 16));
					this.pos += 4;
				}
				default -> throw error("bad escape \\" + e);
			}
		}
	}

	private Long number() {
		int start = this.pos;
		if (peek() == '-') {
			this.pos++;
		}
		while (this.pos < this.text.length() && Character.isDigit(this.text.charAt(this.pos))) {
			this.pos++;
		}
		if (this.pos == start || this.pos < this.text.length() && ".eE".indexOf(this.text.charAt(this.pos)) >= 0) {
			throw error("expected an integer");
		}
		return Long.parseLong(this.text.substring(start, this.pos));
	}

	private Object literal(String word, Object value) {
		if (!this.text.startsWith(word, this.pos)) {
			throw error("expected " + word);
		}
		this.pos += word.length();
		return value;
	}

	private void skipWhitespace() {
		while (this.pos < this.text.length() && " \t\r\n".indexOf(this.text.charAt(this.pos)) >= 0) {
			this.pos++;
		}
	}

	private char peek() {
		return this.pos < this.text.length() ? this.text.charAt(this.pos) : '\0';
	}

	private char next() {
		if (this.pos >= this.text.length()) {
			throw error("unexpected end");
		}
		return this.text.charAt(this.pos++);
	}

	private void expect(char c) {
		if (next() != c) {
			this.pos--;
			throw error("expected '" + c + "'");
		}
	}

	private IllegalArgumentException error(String problem) {
		return new IllegalArgumentException(problem + " at offset " + this.pos + " of:\n" + this.text);
	}
}
