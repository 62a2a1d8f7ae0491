/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.ArrayList;
import java.util.List;

/** Aligned rows, as AssertJ and Truth print them: each row on its own line, indented two spaces. */
final class MessageTable {

	private MessageTable() {
	}

	/** Appends each row on a new line, its columns padded to the widest cell, trailing blanks dropped. */
	static void appendAligned(StringBuilder text, List<String[]> rows) {
		aligned(rows).forEach(text::append);
	}

	/** Each row as {@link #appendAligned} appends it, a newline first. */
	static List<String> aligned(List<String[]> rows) {
		List<String> lines = new ArrayList<>(rows.size());
		int columns = rows.get(0).length;
		int[] widths = new int[columns];
		for (String[] row : rows) {
			for (int c = 0; c < columns; c++) {
				widths[c] = Math.max(widths[c], row[c].length());
			}
		}
		for (String[] row : rows) {
			StringBuilder line = new StringBuilder("\n ");
			for (int c = 0; c < columns; c++) {
				line.append(' ').append(row[c]);
				if (c < columns - 1) {
					line.append(" ".repeat(widths[c] - row[c].length() + 1));
				}
			}
			lines.add(line.toString().stripTrailing());
		}
		return lines;
	}
}
