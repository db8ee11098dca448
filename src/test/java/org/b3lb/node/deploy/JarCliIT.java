package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

/** The built jar itself, as {@code java -jar target/b3lb-node.jar}: version from its manifest, help, status. */
class JarCliIT {

    static final Path JAR = Path.of("target", "b3lb-node.jar").toAbsolutePath();

    static Tools.Result jar(String... args) throws Exception {
        String[] command = new String[args.length + 3];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        command[1] = "-jar";
        command[2] = JAR.toString();
        System.arraycopy(args, 0, command, 3, args.length);
        return Tools.run(command);
    }

    @Test
    void versionComesFromTheManifestAndHelpListsEveryCommand() throws Exception {
        Matcher m = Pattern.compile("<artifactId>b3lb-node</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).isTrue();
        Tools.Result version = jar("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.output()).isEqualTo("b3lb-node " + m.group(1) + "\n");

        Tools.Result help = jar("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.output()).contains("status [--json]", "routes list", "routes stop ID", "routes start ID",
                "push --once", "clean [--dry-run]", "--version");
    }

    @Test
    void statusWithNoServiceExitsThree() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        Tools.Result status = jar("status", "--config", "config/dev.properties", "--b3lb.management.port=" + port);
        assertThat(status.exit()).as(status.output()).isEqualTo(3);
        assertThat(status.output()).contains("b3lb-node is not running: nothing answers on 127.0.0.1:" + port);
    }
}
