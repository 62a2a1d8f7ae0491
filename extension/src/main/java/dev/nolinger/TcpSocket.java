/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.Comparator;

/**
 * One line of {@code /proc/net/tcp} or {@code /proc/net/tcp6}, every field decoded.
 *
 * @param file the file the line came from, {@code tcp} or {@code tcp6}
 * @param slot the {@code sl} column
 * @param tuple local and remote address and port
 * @param state the {@code st} column
 * @param transmitQueue bytes not yet acknowledged by the peer ({@code tx_queue})
 * @param receiveQueue bytes not yet read by the application ({@code rx_queue})
 * @param timerActive which kernel timer runs ({@code tr}): 0 none, 1 retransmit, 2 keepalive,
 *     3 TIME_WAIT, 4 zero-window probe
 * @param timerExpiresTicks clock ticks until that timer fires ({@code tm->when})
 * @param retransmits unrecovered retransmit timeouts ({@code retrnsmt})
 * @param uid the owner's user id; 0 for FIN_WAIT2 and TIME_WAIT minisockets
 * @param unansweredProbes unanswered zero-window probes ({@code timeout})
 * @param inode the socket inode; 0 once the owner has closed it
 */
record TcpSocket(String file, int slot, SocketTuple tuple, TcpState state, long transmitQueue, long receiveQueue,
		int timerActive, long timerExpiresTicks, long retransmits, long uid, long unansweredProbes, long inode) {

	/**
	 * The order the failure message and the command list sockets in: both ends of one connection
	 * next to each other, by the lower of the two ports, then the higher, then the state.
	 */
	static final Comparator<TcpSocket> BOTH_ENDS_TOGETHER = Comparator
		.comparingInt((TcpSocket s) -> Math.min(s.local().port(), s.remote().port()))
		.thenComparingInt(s -> Math.max(s.local().port(), s.remote().port()))
		.thenComparing(TcpSocket::state);

	/** Identity of a finding: one connection end in one state. */
	record Key(SocketTuple tuple, TcpState state) {

		// Written out, as TcpSocket's are.
		@Override
		public boolean equals(Object other) {
			return other instanceof Key that && this.state == that.state && this.tuple.equals(that.tuple);
		}

		@Override
		public int hashCode() {
			return this.tuple.hashCode() * 31 + this.state.hashCode();
		}
	}

	// Written out: a record's generated equals and hashCode go through method handles, slow until
	// the JIT has compiled them, and every check compares the table it read with the last one.
	@Override
	public boolean equals(Object other) {
		return other instanceof TcpSocket that && this.inode == that.inode && this.state == that.state
				&& this.slot == that.slot && this.transmitQueue == that.transmitQueue
				&& this.receiveQueue == that.receiveQueue && this.timerActive == that.timerActive
				&& this.timerExpiresTicks == that.timerExpiresTicks && this.retransmits == that.retransmits
				&& this.uid == that.uid && this.unansweredProbes == that.unansweredProbes
				&& this.tuple.equals(that.tuple) && this.file.equals(that.file);
	}

	@Override
	public int hashCode() {
		return (this.tuple.hashCode() * 31 + this.state.hashCode()) * 31 + Long.hashCode(this.inode);
	}

	Key key() {
		return new Key(this.tuple, this.state);
	}

	Endpoint local() {
		return this.tuple.local();
	}

	Endpoint remote() {
		return this.tuple.remote();
	}
}
