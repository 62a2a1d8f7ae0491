/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger.samples;

import java.util.regex.Pattern;

import dev.nolinger.TcpState;
import org.jspecify.annotations.Nullable;

/**
 * One row that nolinger's failure message must hold for a lingering socket: its state, which
 * end it is, {@code local -> remote}, the attribution rule, and the other end when that is this
 * JVM's too. Traced, the row is followed by where the socket was opened.
 *
 * @param endKnown whether nolinger can tell the end untraced: only while a listener is in sight.
 *     Else it may say "unknown end", but never the wrong end. Traced, it always can.
 * @param remote the printed remote endpoint, or null for any (a listener's)
 * @param otherEnd the state of the other end when the message must name it, else null
 * @param openedAt the fixture's frame that opened the socket, which a traced message must show;
 *     null when a thread of the fixture's server or client opened it
 */
record ExpectedRow(TcpState state, End end, boolean endKnown, String local, String remote, Rule rule,
		TcpState otherEnd, @Nullable StackTraceElement openedAt) {

	ExpectedRow(TcpState state, End end, boolean endKnown, String local, String remote, Rule rule, TcpState otherEnd) {
		this(state, end, endKnown, local, remote, rule, otherEnd, null);
	}

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
		MIRROR,

		/** Rule 5, traced only: inode 0, and this JVM closed the 4-tuple during the test. */
		CLOSED_DURING_TEST
	}

	/** A row for a socket attributed by its open fd, whose end nolinger can tell. */
	static ExpectedRow openFd(TcpState state, End end, String local, String remote) {
		return new ExpectedRow(state, end, true, local, remote, Rule.OPEN_FD, null);
	}

	/** A row for an orphan whose peer is in another process, which only the agent's record of the close proves. */
	static ExpectedRow closedDuringTest(TcpState state, End end, String local, String remote) {
		return new ExpectedRow(state, end, true, local, remote, Rule.CLOSED_DURING_TEST, null);
	}

	ExpectedRow withOtherEnd(TcpState otherEndState) {
		return new ExpectedRow(this.state, this.end, this.endKnown, this.local, this.remote, this.rule, otherEndState,
				this.openedAt);
	}

	ExpectedRow withEndKnown(boolean known) {
		return new ExpectedRow(this.state, this.end, known, this.local, this.remote, this.rule, this.otherEnd,
				this.openedAt);
	}

	ExpectedRow asMirror() {
		return new ExpectedRow(this.state, this.end, this.endKnown, this.local, this.remote, Rule.MIRROR,
				this.otherEnd, this.openedAt);
	}

	ExpectedRow openedAt(@Nullable StackTraceElement frame) {
		return new ExpectedRow(this.state, this.end, this.endKnown, this.local, this.remote, this.rule, this.otherEnd,
				frame);
	}

	/** The whole row, from its indent to its end; traced, the end is always named. */
	Pattern pattern(boolean traced) {
		String end = this.endKnown || traced ? Pattern.quote(this.end.label)
				: "(?:" + Pattern.quote(this.end.label) + "|unknown end)";
		String reason = switch (this.rule) {
			case OPEN_FD -> "rule 1: inode [1-9][0-9]* is an open fd of this JVM";
			case MIRROR -> Pattern.quote("rule 2: mirror of this JVM's " + this.otherEnd + " socket");
			case CLOSED_DURING_TEST -> Pattern.quote("rule 5: this JVM closed this 4-tuple during the test");
		};
		String remoteEndpoint = this.remote == null ? "\\S+" : Pattern.quote(this.remote);
		String other = this.otherEnd == null ? "" : " +" + Pattern.quote("other end: " + this.otherEnd + ", this JVM's");
		return Pattern.compile("  " + this.state + " +" + end + " +" + Pattern.quote(this.local) + " -> "
				+ remoteEndpoint + " +" + reason + other);
	}

	/** The row untraced. */
	Pattern pattern() {
		return pattern(false);
	}

	@Override
	public String toString() {
		return pattern().pattern() + (this.openedAt == null ? "" : ", opened at " + SourceLine.text(this.openedAt));
	}
}
