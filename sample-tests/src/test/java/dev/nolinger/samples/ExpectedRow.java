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
 * @param remote the printed remote endpoint, or null for any (a listener's)
 * @param otherEnd the state of the other end when the message must name it, else null
 */
record ExpectedRow(TcpState state, End end, String local, String remote, Rule rule, TcpState otherEnd) {

	/**
	 * Which end of its connection the socket is. nolinger tells only while a listener is in
	 * sight, and says "unknown end" otherwise, as when the test closed its listener; it must never
	 * name the wrong end.
	 */
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

	static ExpectedRow openFd(TcpState state, End end, String local, String remote) {
		return new ExpectedRow(state, end, local, remote, Rule.OPEN_FD, null);
	}

	ExpectedRow withOtherEnd(TcpState otherEndState) {
		return new ExpectedRow(this.state, this.end, this.local, this.remote, this.rule, otherEndState);
	}

	ExpectedRow asMirror() {
		return new ExpectedRow(this.state, this.end, this.local, this.remote, Rule.MIRROR, this.otherEnd);
	}

	/** The whole row, from its indent to its end. */
	Pattern pattern() {
		String end = "(?:" + Pattern.quote(this.end.label) + "|unknown end)";
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
