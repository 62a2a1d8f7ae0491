/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.nio.file.Path;

/** Lists an fd directory as the extension does, in a child process that may run as another user. */
public final class FdProbeMain {

	private FdProbeMain() {
	}

	public static void main(String[] args) {
		try {
			System.out.println("inodes " + new OwnershipProcSelfFd(Path.of(args[0])).socketInodes().size());
		}
		catch (SocketTableException e) {
			System.out.println(e.getMessage());
			System.exit(3);
		}
	}
}
