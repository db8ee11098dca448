package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up failures as an admin meets them: the real main class in its own JVM, its exit code
 * and what it prints. One clear line, no stack trace.
 */
class StartupFailureTest {

    @TempDir
    Path dir;

    record Outcome(int exitCode, String stdout, String stderr) {
    }

    private Outcome launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), App.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("B3LB_"));
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("b3lb-node did not exit on bad configuration");
        }
        return new Outcome(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    private String[] base(String... more) {
        List<String> a = new ArrayList<>(List.of("--b3lb.routes-dir=" + RunningNode.REPO_ROUTES,
                "--b3lb.recording-dir=" + dir.resolve("rec"), "--b3lb.upload.enabled=false"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void portFromEnvironmentThatIsNotANumber() throws Exception {
        Outcome o = launch(Map.of("B3LB_LOAD_PORT", "eighty"), base());
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr).isEqualTo("b3lb-node: invalid b3lb.load.port='eighty' (from environment variable "
                + "B3LB_LOAD_PORT): must be a TCP port number 1-65535\n");
    }

    @Test
    void portOutOfRangeFromConfigFile() throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "b3lb.management.port=99999\n");
        Outcome o = launch(Map.of(), base("--config", file.toString()));
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).containsExactly("b3lb-node: invalid b3lb.management.port='99999' (from " + file
                + "): must be a TCP port number 1-65535");
    }

    @Test
    void unknownBoolean() throws Exception {
        Outcome o = launch(Map.of(), base("--b3lb.load.enabled=ja"));
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).containsExactly(
                "b3lb-node: invalid b3lb.load.enabled='ja' (from argument --b3lb.load.enabled): must be true or false");
    }

    @Test
    void unreadableConfigFile() throws Exception {
        Outcome o = launch(Map.of(), base("--config", "/nonexistent/b3lb.properties"));
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).containsExactly("b3lb-node: cannot read config file /nonexistent/b3lb.properties: "
                + "no such file; fix the path given with --config or the file's permissions");
    }

    @Test
    void loadPortInUseNamesTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            Outcome o = launch(Map.of(), base("--b3lb.load.port=" + taken.getLocalPort(),
                    "--b3lb.management.port=" + AvailablePortFinder.getNextAvailable()));
            assertThat(o.exitCode).isEqualTo(2);
            assertThat(o.stderr.lines()).singleElement().asString()
                    .startsWith("b3lb-node: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                            + " (b3lb.load.host, b3lb.load.port)")
                    .contains("change b3lb.load.port");
        }
    }

    @Test
    void unknownCommandAndOption() throws Exception {
        Outcome o = launch(Map.of(), base("frobnicate"));
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr).startsWith("b3lb-node: unknown command 'frobnicate'; usage: b3lb-node");
        Outcome o2 = launch(Map.of(), base("--verbose"));
        assertThat(o2.exitCode).isEqualTo(2);
        assertThat(o2.stderr).startsWith("b3lb-node: unknown option '--verbose' for 'run'");
    }

    @Test
    void missingRoutesDirectory() throws Exception {
        Outcome o = launch(Map.of(), "--b3lb.routes-dir=" + dir.resolve("nope"), "--b3lb.recording-dir=" + dir);
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).singleElement().asString()
                .contains("routes directory " + dir.resolve("nope") + " does not exist");
    }

    @Test
    void hugeDurationFromTheEnvironmentIsOneLine() throws Exception {
        Outcome o = launch(Map.of("B3LB_UPLOAD_IDLE_TIMEOUT", "99999999999999999999"), base());
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).containsExactly("b3lb-node: invalid b3lb.upload.idle-timeout='99999999999999999999' "
                + "(from environment variable B3LB_UPLOAD_IDLE_TIMEOUT): must be at most 36500d (100 years), e.g. 5s, 10m or 7d");
    }

    @Test
    void aCronThatNeverFiresStopsBeforeCamelStarts() throws Exception {
        Outcome o = launch(Map.of("B3LB_CLEANER_CRON", "0 0 3 31 2 ?"), base());
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).singleElement().asString().contains("b3lb.cleaner.cron='0 0 3 31 2 ?'", "never fires");
        assertThat(o.stdout).doesNotContain("Apache Camel");
    }

    @Test
    void aSecretFileThatNeverEndsIsRefusedWithoutReadingIt() throws Exception {
        List<String> args = new ArrayList<>(List.of(base()));
        args.remove("--b3lb.upload.enabled=false");
        Outcome o = launch(Map.of("B3LB_UPLOAD_SECRET_FILE", "/dev/zero"), args.toArray(String[]::new));
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).singleElement().asString().contains("/dev/zero", "is not a regular file");
    }

    @Test
    void aRoutesDirectoryWithoutTheEnabledRoutesFilesIsRefused() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Outcome o = launch(Map.of(), "--b3lb.routes-dir=" + routes, "--b3lb.recording-dir=" + dir,
                "--b3lb.upload.enabled=false");
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).singleElement().asString()
                .contains("has no load.camel.yaml but b3lb.load.enabled=true");
        Files.copy(RunningNode.REPO_ROUTES.resolve("load.camel.yaml"), routes.resolve("load.camel.yaml"));
        Outcome o2 = launch(Map.of(), "--b3lb.routes-dir=" + routes, "--b3lb.recording-dir=" + dir,
                "--b3lb.upload.enabled=false");
        assertThat(o2.exitCode).isEqualTo(2);
        assertThat(o2.stderr.lines()).singleElement().asString()
                .contains("has no cleanup.camel.yaml but b3lb.cleaner.enabled=true");
    }

    @Test
    void aRecordingDirectoryThatIsAFileIsNotCalledMissing() throws Exception {
        Path file = Files.writeString(dir.resolve("passwd"), "root:x:0:0\n");
        Outcome o = launch(Map.of(), base("--b3lb.recording-dir=" + file));
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).singleElement().asString()
                .contains("recording directory " + file + " is not a directory (b3lb.recording-dir");
    }

    @Test
    void aListenAddressOfAnotherMachineIsNotCalledAPortInUse() throws Exception {
        // 192.0.2.1 is TEST-NET-1: never an address of this machine
        Outcome o = launch(Map.of(), base("--b3lb.load.host=192.0.2.1"));
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).singleElement().asString()
                .contains("192.0.2.1 is not an address of this machine", "b3lb.load.host")
                .doesNotContain("other process");
    }

    @Test
    void aFailedStartIsNotReportedAsASignal() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        for (String f : List.of("load.camel.yaml", "cleanup.camel.yaml")) {
            Files.copy(RunningNode.REPO_ROUTES.resolve(f), routes.resolve(f));
        }
        Files.writeString(routes.resolve("broken.camel.yaml"), "- route: {id: x, from: {uri: 'timer:x'}, steps: []}\n");
        Outcome o = launch(Map.of(), "--b3lb.routes-dir=" + routes, "--b3lb.recording-dir=" + dir,
                "--b3lb.upload.enabled=false", "--b3lb.load.port=" + AvailablePortFinder.getNextAvailable(),
                "--b3lb.management.port=" + AvailablePortFinder.getNextAvailable());
        // a route file that does not load is a configuration error (RouteFileStartupTest)
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr).startsWith("b3lb-node: route file " + routes.resolve("broken.camel.yaml"));
        assertThat(o.stdout + o.stderr).doesNotContain("SIGTERM");
    }
}
