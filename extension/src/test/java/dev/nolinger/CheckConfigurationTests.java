/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckConfigurationTests {

	@Test
	void defaults() {
		CheckConfiguration configuration = CheckConfiguration.from(key -> Optional.empty());

		assertThat(configuration).isEqualTo(new CheckConfiguration(true,
				EnumSet.of(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT), 0, Duration.ofSeconds(1), false,
				Path.of("/proc/net"), Optional.empty(), false,
				CheckConfiguration.Source.AUTO, false));
	}

	@Test
	void parsesEveryKey() {
		Map<String, String> parameters = Map.of("nolinger.enabled", "FALSE", "nolinger.states",
				" close_wait , LAST_ACK", "nolinger.tolerance", "3", "nolinger.grace", "250ms",
				"nolinger.unsupported", "fail", "nolinger.proc.net", "/tmp/net", "nolinger.baseline", "nolinger-baseline.tsv",
				"nolinger.baseline.write", "true", "nolinger.source", " NetLink ", "nolinger.read.always", "true");

		CheckConfiguration configuration = CheckConfiguration.from(k -> Optional.ofNullable(parameters.get(k)));

		assertThat(configuration).isEqualTo(new CheckConfiguration(false,
				EnumSet.of(TcpState.CLOSE_WAIT, TcpState.LAST_ACK), 3, Duration.ofMillis(250), true, Path.of("/tmp/net"),
				Optional.of(Path.of("nolinger-baseline.tsv")), true,
				CheckConfiguration.Source.NETLINK, true));
	}

	@Test
	void explicitValuesThatEqualTheDefaultsParse() {
		Map<String, String> parameters = Map.of("nolinger.enabled", "true", "nolinger.tolerance", "0",
				"nolinger.unsupported", " Skip ", "nolinger.baseline.write", "false", "nolinger.read.always", "false",
				"nolinger.classes", "true");

		CheckConfiguration configuration = CheckConfiguration.from(k -> Optional.ofNullable(parameters.get(k)));

		assertThat(configuration).isEqualTo(CheckConfiguration.from(key -> Optional.empty()));
		assertThat(configuration.enabled()).isTrue();
		assertThat(configuration.tolerance()).isZero();
	}

	@ParameterizedTest
	@CsvSource({ "0, PT0S", "500ms, PT0.5S", "1s, PT1S", "2 s, PT2S", "1m, PT1M" })
	void parsesGrace(String value, Duration expected) {
		assertThat(CheckConfiguration.parseDuration("nolinger.grace", value)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			nolinger.enabled     | yes       | Invalid value for nolinger.enabled: 'yes'; expected true or false.
			nolinger.tolerance   | -1        | Invalid value for nolinger.tolerance: '-1'; expected a whole number of sockets, 0 or more.
			nolinger.tolerance   | many      | Invalid value for nolinger.tolerance: 'many'; expected a whole number of sockets, 0 or more.
			nolinger.grace       | 5         | Invalid value for nolinger.grace: '5'; expected a duration such as 500ms, 1s or 0.
			nolinger.grace       | 1h        | Invalid value for nolinger.grace: '1h'; expected a duration such as 500ms, 1s or 0.
			nolinger.baseline.write | maybe  | Invalid value for nolinger.baseline.write: 'maybe'; expected true or false.
			nolinger.read.always | sometimes | Invalid value for nolinger.read.always: 'sometimes'; expected true or false.
			nolinger.unsupported | ignore    | Invalid value for nolinger.unsupported: 'ignore'; expected skip or fail.
			nolinger.source      | jna       | Invalid value for nolinger.source: 'jna'; expected proc, netlink or auto.
			nolinger.source      | ''        | Invalid value for nolinger.source: ''; expected proc, netlink or auto.
			nolinger.states      | FIN_WAIT3 | Invalid value for nolinger.states: 'FIN_WAIT3'; expected a comma-separated list of TCP states, such as FIN_WAIT2,CLOSE_WAIT; known states: [ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING].
			""")
	void invalidValueNamesKeyAndValue(String key, String value, String message) {
		assertThatThrownBy(() -> CheckConfiguration.from(k -> k.equals(key) ? Optional.of(value) : Optional.empty()))
			.isInstanceOf(ExtensionConfigurationException.class)
			.hasMessage(message);
	}

	@Test
	void writingABaselineNeedsItsFile() {
		assertThatThrownBy(() -> CheckConfiguration
			.from(k -> k.equals("nolinger.baseline.write") ? Optional.of("true") : Optional.empty()))
			.isInstanceOf(ExtensionConfigurationException.class)
			.hasMessage("Invalid value for nolinger.baseline.write: 'true'; expected nolinger.baseline to name the file to write as well.");
	}

	@Test
	void emptyStatesAreInvalid() {
		assertThatThrownBy(() -> CheckConfiguration.parseStates("nolinger.states", ""))
			.hasMessageStartingWith("Invalid value for nolinger.states: ''; expected a comma-separated list");
	}

	@Test
	void annotationAttributesWinOverParameters() {
		CheckConfiguration configuration = new CheckConfiguration(true, EnumSet.of(TcpState.LAST_ACK), 5,
				Duration.ofSeconds(3), false, Path.of("/proc/net"), Optional.empty(), false,
				CheckConfiguration.Source.AUTO, false);

		assertThat(CheckSettings.resolve(Annotated.class.getAnnotation(NoLingeringSockets.class), configuration))
			.isEqualTo(new CheckSettings(EnumSet.of(TcpState.LISTEN), 1, Duration.ofMillis(20)));
		assertThat(CheckSettings.resolve(AtDefaults.class.getAnnotation(NoLingeringSockets.class), configuration))
			.as("attributes left at their defaults defer to the parameters")
			.isEqualTo(new CheckSettings(EnumSet.of(TcpState.LAST_ACK), 5, Duration.ofSeconds(3)));
	}

	@Test
	void invalidAttributesNameTheAttribute() {
		CheckConfiguration configuration = CheckConfiguration.from(key -> Optional.empty());

		assertThatThrownBy(() -> CheckSettings.resolve(NegativeTolerance.class.getAnnotation(NoLingeringSockets.class),
				configuration)).isInstanceOf(ExtensionConfigurationException.class)
			.hasMessage("Invalid value for @NoLingeringSockets(tolerance): '-2'; expected a whole number of sockets, 0 or more.");
		assertThatThrownBy(() -> CheckSettings.resolve(NoStates.class.getAnnotation(NoLingeringSockets.class),
				configuration)).hasMessage("Invalid value for @NoLingeringSockets(states): '{}'; expected at least one TCP state.");
		assertThatThrownBy(() -> CheckSettings.resolve(BadGrace.class.getAnnotation(NoLingeringSockets.class),
				configuration)).hasMessage(
						"Invalid value for @NoLingeringSockets(graceMillis): '-5'; expected -1 for the configured default, or 0 or more milliseconds.");
	}

	@NoLingeringSockets(states = TcpState.LISTEN, tolerance = 1, graceMillis = 20)
	static class Annotated {
	}

	@NoLingeringSockets
	static class AtDefaults {
	}

	@NoLingeringSockets(tolerance = -2)
	static class NegativeTolerance {
	}

	@NoLingeringSockets(states = {})
	static class NoStates {
	}

	@NoLingeringSockets(graceMillis = -5)
	static class BadGrace {
	}
}
