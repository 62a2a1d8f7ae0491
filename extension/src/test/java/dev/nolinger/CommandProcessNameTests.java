/*
 * Copyright 2026 the nolinger authors. Licensed under the Apache License, Version 2.0.
 */
package dev.nolinger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A JVM is named by its main class or jar and its directory; other commands are cut. */
class CommandProcessNameTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			/usr/lib/jvm/temurin-25/bin/java -Xmx1g -jar /tmp/surefire1/surefirebooter-2026_3.jar /tmp/surefire1 x | java -jar surefirebooter-2026_3.jar, in /work/app
			java -cp a.jar:b.jar -Dx=y com.acme.Main --port 8080                                               | java com.acme.Main, in /work/app
			/opt/jdk/bin/java --module-path mods -m com.acme/com.acme.Main                                     | java -m com.acme/com.acme.Main, in /work/app
			/opt/jdk/bin/java --add-opens java.base/java.lang=ALL-UNNAMED @argfile Leaky.java                  | java Leaky.java, in /work/app
			/usr/bin/python3 -m http.server 8080 --bind 127.0.0.1 --directory /srv/some/long/path/here         | /usr/bin/python3 -m http.server 8080 --bind 127.0.0.1 --d...
			/opt/jdk/bin/java -version                                                                         | /opt/jdk/bin/java -version
			""")
	void names(String commandLine, String expected) {
		assertThat(CommandProcessName.of(commandLine, Optional.of("/work/app"), 60)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			/opt/jdk/bin/java -jar /opt/app.jar | /opt/jdk/bin/java -jar /opt/app.jar
			""")
	void jsonKeepsTheWholeCommandLine(String commandLine, String expected) {
		assertThat(CommandProcessName.of(commandLine, Optional.of("/work/app"), 0)).isEqualTo(expected);
	}
}
