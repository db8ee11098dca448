package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

/** The command line as an admin types it: help, version, bad usage, the secret refused. */
class CliTest extends StdStreamsTest {

    static String pomVersion() throws Exception {
        // the project's own version, not the first <version> of a plugin or dependency
        Matcher m = Pattern.compile("<artifactId>b3lb-node</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void helpListsEveryCommandAndNeedsNoConfig() {
        for (String[] args : new String[][] {{"--help"}, {"help"}, {"-h"}, {"status", "--help"}, {"--help", "--config", "/nonexistent"}}) {
            out.reset();
            assertThat(App.run(args)).as(String.join(" ", args)).isZero();
            String help = out.toString(StandardCharsets.UTF_8);
            assertThat(help).contains("usage: b3lb-node");
            for (String command : new String[] {"run", "status [--json]", "routes list", "routes stop ID", "routes start ID",
                    "push --once", "clean [--dry-run]", "--version", "--config PATH", "--jmx HOST:PORT"}) {
                assertThat(help).as(String.join(" ", args)).contains(command);
            }
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void helpNamesEveryRouteThatRoutesStopTakes() throws Exception {
        assertThat(App.run("--help")).isZero();
        String routesLine = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        List<String> ids = new ArrayList<>(List.of("upload")); // the one route in Java
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Matcher id = Pattern.compile("(?m)^\\s+id: (\\S+)$").matcher(Files.readString(f));
                assertThat(id.find()).as(f.toString()).isTrue();
                ids.add(id.group(1));
            }
        }
        assertThat(ids).hasSize(5);
        Matcher stop = Pattern.compile("routes stop ID stop route ID \\(([^)]*)\\)").matcher(routesLine);
        assertThat(stop.find()).as(routesLine).isTrue();
        assertThat(stop.group(1).split(",? (or )?")).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void versionIsTheProjectVersion() throws Exception {
        assertThat(App.run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("b3lb-node " + pomVersion() + "\n");
        assertThat(Version.get()).isEqualTo(pomVersion());
    }

    @Test
    void theSecretOnTheCommandLineIsRefusedWithoutEchoingIt() {
        for (String[] args : new String[][] {{"--b3lb.upload.secret=hunter2-topsecret"}, {"push", "--once", "--b3lb.upload.secret=hunter2-topsecret"},
                {"--b3lb.upload.secret", "hunter2-topsecret"}}) {
            err.reset();
            assertThat(App.run(args)).isEqualTo(2);
            String e = err.toString(StandardCharsets.UTF_8);
            assertThat(e.lines()).hasSize(1);
            assertThat(e).contains("b3lb.upload.secret is refused on the command line").contains("/etc/b3lb-node/secret")
                    .doesNotContain("hunter2");
        }
        // the file key is fine: it names a file, not the secret
        assertThat(App.run("--help", "--b3lb.upload.secret-file=/srv/secret")).isZero();
    }

    @Test
    void statusAndRoutesSayTheServiceIsNotRunning() {
        int port = AvailablePortFinder.getNextAvailable();
        out.reset();
        assertThat(App.run("status", "--b3lb.management.port=" + port, "--b3lb.recording-dir=" + dir)).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("b3lb-node status: b3lb-node is not running: nothing answers on 127.0.0.1:"
                + port + " (b3lb.management.host/port); systemctl status b3lb-node\n");
        err.reset();
        assertThat(App.run("status", "--json", "--b3lb.management.port=" + port)).isEqualTo(3);
        err.reset();
        assertThat(App.run("routes", "list", "--b3lb.management.port=" + port)).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not running").contains("127.0.0.1:" + port);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void badUsageExitsTwo() {
        assertThat(App.run("status", "--jsn")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--jsn' for 'status'");
        assertThat(App.run("status", "extra")).isEqualTo(2);
        assertThat(App.run("routes", "stop")).isEqualTo(2);
        assertThat(App.run("routes", "list", "--verbose")).isEqualTo(2);
        assertThat(App.run("bogus")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'bogus'");
    }

    @Test
    void fromACheckoutWithoutConfigItSaysWhichConfigToPass() {
        // the test runs in the repository root, as an admin trying java -jar target/b3lb-node.jar would
        assertThat(App.run("run", "--config", "config/application.properties")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("b3lb-node: routes directory "
                + Path.of("config", "routes").toAbsolutePath() + " does not exist; this is a checkout: run with"
                + " --config config/dev.properties (or pass --b3lb.routes-dir=routes)\n");
    }

    @Test
    void cleanAndPushFromACheckoutSayWhichConfigToPassAsRunDoes() {
        // ./config/application.properties is the node's: /var/bigbluebutton/... does not exist here
        Path missing = Path.of("/var/bigbluebutton/recording/status/archived");
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(missing), "a BBB node");
        for (String[] args : new String[][] {{"clean", "--dry-run"}, {"clean"}, {"push", "--once"}}) {
            err.reset();
            assertThat(App.run(args)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).as(String.join(" ", args)).isEqualTo("b3lb-node: recording directory "
                    + missing + " does not exist (b3lb.recording-dir, from " + Path.of("config", "application.properties")
                    + "); this is a checkout: run with --config config/dev.properties\n");
        }
    }
}
