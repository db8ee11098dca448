package org.b3lb.node.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Debian tools the deployment tests drive (dpkg-deb, nginx, systemd-analyze). A developer
 * without one skips those tests; CI (CI=true, where .ci/run installs them) fails instead, so a
 * missing install step can never turn into a silently green run.
 */
final class Tools {

    record Result(int exit, String output) {
    }

    private Tools() {
    }

    static Path require(String name) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        assumeTrue(System.getenv("CI") != null, name + " is not installed; .ci/run installs it (skipped outside CI)");
        throw new AssertionError(name + " is not installed, but CI needs it: add it to .ci/run");
    }

    /** Runs a command to its end (60 s at most) and returns its exit code and merged output. */
    static Result run(Path workDir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(workDir == null ? null : workDir.toFile())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Result run(String... command) throws IOException, InterruptedException {
        return run(null, command);
    }
}
