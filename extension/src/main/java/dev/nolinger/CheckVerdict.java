/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import java.util.List;

/**
 * How a test came out of the check.
 *
 * @param findings every confirmed finding, also those within the tolerance or in the baseline file
 * @param beyond the findings the baseline file does not know; these count against the tolerance
 * @param failed whether {@code beyond} exceeds the tolerance
 */
record CheckVerdict(List<Finding> findings, List<Finding> beyond, boolean failed) {

	/** How many findings the baseline file excused. */
	int inBaseline() {
		return this.findings.size() - this.beyond.size();
	}
}
