package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.app.AppAccess;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@code b3lb-node routes} against a service whose {@code /tmp} is its own, as systemd's
 * {@code PrivateTmp=yes} makes it: the service runs in a mount namespace of its own with a tmpfs
 * on {@code /tmp} (unshare, as root). The JDK's client alone would look for the JVM's socket in
 * this process's {@code /tmp}, time out and leave thread dumps in the service's log. With a
 * read-only {@code /tmp} the JVM cannot make its socket at all: refused before any signal.
 * The same under a real systemd: .ci/deploy-test.sh.
 */
class PrivateTmpAttachTest {

    /** Under target/, not /tmp: the service's tmpfs hides the real /tmp from it. */
    Path dir;

    Process service;
    Path log;
    Path config;

    @BeforeEach
    void makeDir() throws Exception {
        dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "private-tmp-attach");
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null && service.isAlive()) {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private void startWithOwnTmp(String tmpfsOptions) throws Exception {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")), "needs root for a mount namespace");
        Path unshare = Tools.require("unshare");
        int managementPort = AvailablePortFinder.getNextAvailable();
        config = Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "b3lb.recording-dir=" + Files.createDirectories(dir.resolve("archived")),
                "b3lb.routes-dir=" + RunningNode.REPO_ROUTES,
                "b3lb.load.port=" + AvailablePortFinder.getNextAvailable(),
                "b3lb.management.port=" + managementPort,
                "b3lb.upload.enabled=false", ""));
        log = dir.resolve("service.log");
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        // the service's own /tmp; a checkout under /tmp (where CI may clone it) is bound back into it,
        // or the classes and surefire's class-path jar would vanish under the new /tmp
        String ownTmp = """
                opts=$1; project=$2; shift 2
                old=/run/b3lb-node-test-tmp-$$
                mkdir -p "$old" && mount --bind /tmp "$old" && mount -t tmpfs -o rw,mode=1777 tmpfs /tmp || exit 1
                case "$project/" in /tmp/*) mkdir -p "$project" && mount --bind "$old${project#/tmp}" "$project" || exit 1 ;; esac
                umount "$old"; rmdir "$old"
                [ "$opts" = ro ] && { mount -o remount,ro /tmp || exit 1; }
                exec "$@"
                """;
        List<String> cmd = new ArrayList<>(List.of(unshare.toString(), "--mount", "--propagation", "private", "sh", "-c",
                ownTmp, "sh", "ro".equals(tmpfsOptions) ? "ro" : "rw", Path.of("").toAbsolutePath().toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m", "-XX:+UseSerialGC",
                "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=" + Path.of("config", "logback.xml").toAbsolutePath(),
                "org.b3lb.node.app.App", "run", "--config", config.toString()));
        service = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> !service.isAlive() || Files.readString(log).contains("Listening:"));
        assertThat(service.isAlive()).as(Files.readString(log)).isTrue();
        assertThat(Files.readString(Path.of("/proc", Long.toString(service.pid()), "cmdline"))).contains("org.b3lb.node.app.App");
    }

    private String[] routes(String... args) {
        List<String> all = new ArrayList<>(List.of("routes"));
        all.addAll(List.of(args));
        all.addAll(List.of("--config", config.toString()));
        return all.toArray(String[]::new);
    }

    /** App.run in this JVM, as {@code java -jar b3lb-node.jar routes ...} runs it. */
    private static synchronized String[] app(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = AppAccess.run(args);
            return new String[] {Integer.toString(exit), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void attachesThroughTheServicesOwnTmpWithoutThreadDumps() throws Exception {
        startWithOwnTmp("rw,mode=1777");
        String[] list = app(routes("list"));
        assertThat(list[0]).as(list[2]).isEqualTo("0");
        assertThat(list[1]).containsPattern("(?m)^load\\s+Started\\s+exchanges=\\d+$");
        // the socket stays; a second run finds it without any signal
        String[] stop = app(routes("stop", "cleanup"));
        assertThat(stop[0]).as(stop[2]).isEqualTo("0");
        assertThat(stop[1]).isEqualTo("cleanup Stopped\n");
        // nothing left behind in this side's /tmp or the service's working directory
        assertThat(Path.of("/tmp", ".java_pid" + service.pid())).doesNotExist();
        assertThat(dir.resolve("cwd").resolve(".attach_pid" + service.pid())).doesNotExist();
        assertThat(Files.readString(log)).doesNotContain("Full thread dump");
    }

    @Test
    void aReadOnlyTmpIsRefusedBeforeAnySignal() throws Exception {
        startWithOwnTmp("ro");
        String[] list = app(routes("list"));
        assertThat(list[0]).isEqualTo("1");
        assertThat(list[2]).contains("the service's /tmp is read-only").contains("keep PrivateTmp=yes");
        Thread.sleep(1000);
        assertThat(Files.readString(log)).doesNotContain("Full thread dump");
        assertThat(dir.resolve("cwd").resolve(".attach_pid" + service.pid())).doesNotExist();
    }
}
