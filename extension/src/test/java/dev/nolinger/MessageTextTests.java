/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageTextTests {

	@Test
	void jsonEscapesForJsonAndKeepsItAscii() {
		assertThat(MessageText.json("a\"b\\c/d\n\r\t\b\f\u0001\u007f é 中"))
			.isEqualTo("\"a\\\"b\\\\c/d\\n\\r\\t\\b\\f\\u0001\\u007f \\u00e9 \\u4e2d\"");
		assertThat(JsonText.parse(MessageText.json("a\"b\\c\n\u0001\u007f é 中"))).isEqualTo("a\"b\\c\n\u0001\u007f é 中");
	}

	@Test
	void printableShowsControlCharactersInsteadOfSendingThemToTheTerminal() {
		assertThat(MessageText.printable("java\t-Dx=\u001b[31m\u007f é")).isEqualTo("java\\x09-Dx=\\x1B[31m\\x7F é");
	}

	@Test
	void printableShowsC1ControlsAndKeepsPrintableLettersBeyondAscii() {
		assertThat(MessageText.printable("a\u009b31mb\u0080\u00a0\u00ff中")).isEqualTo("a\\x9B31mb\\x80\u00a0\u00ff中");
	}
}
