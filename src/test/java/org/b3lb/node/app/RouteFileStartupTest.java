package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route file that does not load stops the real main class in its own JVM with one line naming
 * the file, the line and the reason, and exit code 2 (the unit's RestartPreventExitStatus), never
 * a stack trace; and the service starts without a usable java.io.tmpdir (Vert.x's file cache).
 */
class RouteFileStartupTest {

    @TempDir
    Path dir;

    Path routes;

    record Outcome(int exitCode, String stdout, String stderr) {
    }

    @BeforeEach
    void copyRoutes() throws IOException {
        routes = Files.createDirectories(dir.resolve("routes"));
        try (Stream<Path> files = Files.list(RunningNode.REPO_ROUTES)) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
    }

    private ProcessBuilder command(String... jvmOptions) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), App.class.getName(), "run",
                "--b3lb.routes-dir=" + routes, "--b3lb.recording-dir=" + dir, "--b3lb.upload.enabled=false",
                "--b3lb.load.port=" + AvailablePortFinder.getNextAvailable(),
                "--b3lb.management.port=" + AvailablePortFinder.getNextAvailable()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("B3LB_"));
        return pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
    }

    private Outcome start(String routeFile) throws IOException, InterruptedException {
        Files.writeString(routes.resolve("x.camel.yaml"), routeFile);
        Process p = command().start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("b3lb-node did not exit on a broken route file");
        }
        return new Outcome(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    private void assertOneLine(Outcome o, String where, String reason) {
        assertThat(o.exitCode).isEqualTo(2);
        assertThat(o.stderr.lines()).singleElement().asString()
                .startsWith("b3lb-node: route file " + routes.resolve("x.camel.yaml") + " " + where)
                .contains(reason).endsWith("; fix or remove the file, then: systemctl restart b3lb-node");
        assertThat(o.stdout + o.stderr).doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at ");
    }

    @Test
    void brokenYaml() throws Exception {
        assertOneLine(start("- route:\n    id: [x\n"), "line 3, column 1:", "expected ',' or ']'");
    }

    @Test
    void onlyAComment() throws Exception {
        assertOneLine(start("# nothing here yet\n"), "line 1:", "holds no route (it is empty or only comments)");
    }

    @Test
    void unknownStep() throws Exception {
        assertOneLine(start("- route:\n    id: x\n    from:\n      uri: timer:x\n      steps:\n        - frobnicate: {}\n"),
                "line 6, column 11:", "Unknown node id: frobnicate");
    }

    @Test
    void unknownComponent() throws Exception {
        assertOneLine(start("- route:\n    id: x\n    from:\n      uri: nosuchcomponent:x\n"),
                "line 1:", "route 'x' cannot be created: No endpoint could be found for: nosuchcomponent://x");
    }

    @Test
    void startsWithoutAUsableTmpdir() throws Exception {
        // a regular file as tmpdir: nothing can be created below it, not even by root
        Path notADirectory = Files.writeString(dir.resolve("not-a-directory"), "");
        Process p = command("-Djava.io.tmpdir=" + notADirectory).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(dir.resolve("out.txt")).contains("Listening: ") && p.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(dir.resolve("out.txt"))).contains("Listening: ");
            assertThat(Files.readString(dir.resolve("err.txt"))).isEmpty();
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
