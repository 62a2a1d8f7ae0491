/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import java.util.regex.Pattern;

import dev.nolinger.TcpState;

/**
 * One row that nolinger's failure message must hold for a lingering socket: its state, which
 * end it is, {@code local -> remote}, the attribution rule, and the other end when that is this
 * JVM's too.
 *
 * @param endKnown whether nolinger can tell the end: only while a listener is in sight. Else it
 *     may say "unknown end", but never the wrong end.
 * @param remote the printed remote endpoint, or null for any (a listener's)
 * @param otherEnd the state of the other end when the message must name it, else null
 */
record ExpectedRow(TcpState state, End end, boolean endKnown, String local, String remote, Rule rule,
		TcpState otherEnd) {

	/** Which end of its connection a socket is. */
	enum End {

		CLIENT("client end"),

		SERVER("server end");

		private final String label;

		End(String label) {
			this.label = label;
		}
	}

	/** The attribution rules a sample can predict. */
	enum Rule {

		/** Rule 1: the socket's inode is an open fd of this JVM. */
		OPEN_FD,

		/** Rule 2: inode 0, and the reversed 4-tuple is this JVM's: the other end. */
		MIRROR
	}

	/** A row for a socket attributed by its open fd, whose end nolinger can tell. */
	static ExpectedRow openFd(TcpState state, End end, String local, String remote) {
		return new ExpectedRow(state, end, true, local, remote, Rule.OPEN_FD, null);
	}

	ExpectedRow withOtherEnd(TcpState otherEndState) {
		return new ExpectedRow(this.state, this.end, this.endKnown, this.local, this.remote, this.rule, otherEndState);
	}

	ExpectedRow withEndKnown(boolean known) {
		return new ExpectedRow(this.state, this.end, known, this.local, this.remote, this.rule, this.otherEnd);
	}

	ExpectedRow asMirror() {
		return new ExpectedRow(this.state, this.end, this.endKnown, this.local, this.remote, Rule.MIRROR,
				this.otherEnd);
	}

	/** The whole row, from its indent to its end. */
	Pattern pattern() {
		String end = this.endKnown ? Pattern.quote(this.end.label)
				: "(?:" + Pattern.quote(this.end.label) + "|unknown end)";
		String reason = switch (this.rule) {
			case OPEN_FD -> "rule 1: inode [1-9][0-9]* is an open fd of this JVM";
			case MIRROR -> Pattern.quote("rule 2: mirror of this JVM's " + this.otherEnd + " socket");
		};
		String remoteEndpoint = this.remote == null ? "\\S+" : Pattern.quote(this.remote);
		String other = this.otherEnd == null ? "" : " +" + Pattern.quote("other end: " + this.otherEnd + ", this JVM's");
		return Pattern.compile("  " + this.state + " +" + end + " +" + Pattern.quote(this.local) + " -> "
				+ remoteEndpoint + " +" + reason + other);
	}

	@Override
	public String toString() {
		return pattern().pattern();
	}
}
