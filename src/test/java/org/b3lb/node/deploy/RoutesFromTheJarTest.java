package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as its own process ({@code b3lb-node run}, the App main class on this build's class
 * path), and the admin commands of this JVM against it as a separate program would run them:
 * {@code routes list|stop|start} attach to the service's process (no JMX port opened by anyone),
 * {@code status} reads its management port, and both say "not running" once it is gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutesFromTheJarTest {

    @TempDir
    static Path dir;

    static Process service;
    static Path log;
    static Path config;
    static int loadPort;
    static int managementPort;

    @BeforeAll
    static void start() throws Exception {
        loadPort = AvailablePortFinder.getNextAvailable();
        managementPort = AvailablePortFinder.getNextAvailable();
        Path archived = Files.createDirectories(dir.resolve("archived"));
        Path secret = Files.writeString(dir.resolve("secret"), RunningNode.TEST_SECRET);
        config = Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "b3lb.recording-dir=" + archived,
                "b3lb.routes-dir=" + RunningNode.REPO_ROUTES,
                "b3lb.load.port=" + loadPort,
                "b3lb.management.port=" + managementPort,
                "b3lb.upload.secret-file=" + secret,
                "b3lb.upload.endpoint=http://127.0.0.1:" + AvailablePortFinder.getNextAvailable() + "/upload", ""));
        log = dir.resolve("service.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        service = new ProcessBuilder(java, "-Xmx96m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=" + Path.of("config", "logback.xml").toAbsolutePath(),
                "org.b3lb.node.app.App", "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> !service.isAlive() || Files.readString(log).contains("Listening:"));
        assertThat(service.isAlive()).as(Files.readString(log)).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null && service.isAlive()) {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
    }

    record Out(int exit, String out, String err) {
    }

    /** App.run in this JVM: the same code path as {@code java -jar b3lb-node.jar ARGS}. */
    static synchronized Out app(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            List<String> all = new java.util.ArrayList<>(List.of(args));
            all.addAll(List.of("--config", config.toString()));
            int exit = org.b3lb.node.app.AppAccess.run(all.toArray(String[]::new));
            return new Out(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    @Order(1)
    void theLogNamesTheVersionFirstAndTheAddressesReallyBound() throws Exception {
        List<String> lines = Files.readAllLines(log);
        assertThat(lines.get(0)).matches("INFO  App: b3lb-node \\d+\\.\\d+\\.\\d+\\S* starting \\(pid " + service.pid()
                + ", Java .*, config " + java.util.regex.Pattern.quote(config.toString()) + "\\)");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("Listening: load endpoint http://127.0.0.1:" + loadPort + "/")
                .contains("status on http://127.0.0.1:" + managementPort + "/observe/{health,metrics,status}"));
        assertThat(String.join("\n", lines)).doesNotContain("0.0.0.0");
    }

    @Test
    @Order(2)
    void routesListStopAndStartAttachToTheService() throws Exception {
        Out list = app("routes", "list");
        assertThat(list.exit).as(list.err).isZero();
        assertThat(list.out).containsPattern("(?m)^cleanup\\s+Started\\s+exchanges=\\d+$")
                .containsPattern("(?m)^load\\s+Started\\s+exchanges=\\d+$")
                .containsPattern("(?m)^upload\\s+Started\\s+exchanges=\\d+$");

        Out stopped = app("routes", "stop", "upload");
        assertThat(stopped.exit).as(stopped.err).isZero();
        assertThat(stopped.out).isEqualTo("upload Stopped\n");
        Out status = app("status");
        assertThat(status.exit).as(status.out + status.err).isEqualTo(1);
        assertThat(status.out).containsPattern("(?m)^  upload\\s+Stopped$").contains("route:upload=DOWN");

        Out started = app("routes", "start", "upload");
        assertThat(started.exit).as(started.err).isZero();
        assertThat(started.out).isEqualTo("upload Started\n");
        // UP again once the restarted consumer polled (consumer:upload is DOWN until then)
        await().atMost(Duration.ofSeconds(60)).until(() -> app("status").exit == 0);
        Out healthy = app("status", "--json");
        assertThat(healthy.exit).as(healthy.out + healthy.err).isZero();
        assertThat(healthy.out).contains("\"status\": \"UP\"").contains("\"pid\": " + service.pid());

        Out unknown = app("routes", "stop", "nope");
        assertThat(unknown.exit).isEqualTo(1);
        assertThat(unknown.err).contains("no route 'nope'; routes: cleanup, disk-guard, load, load-sample, upload");
    }

    @Test
    @Order(3)
    void onceTheServiceIsGoneStatusAndRoutesSayNotRunning() throws Exception {
        service.destroy();
        assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Out status = app("status");
        assertThat(status.exit).isEqualTo(3);
        assertThat(status.err).contains("b3lb-node is not running: nothing answers on 127.0.0.1:" + managementPort);
        Out routes = app("routes", "list");
        assertThat(routes.exit).isEqualTo(3);
    }
}
