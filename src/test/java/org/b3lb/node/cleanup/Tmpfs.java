package org.b3lb.node.cleanup;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real, small filesystem for the disk guard's tests: free space then moves exactly as files are
 * written and deleted. Mounting needs root (CI runs as root); elsewhere the test is skipped with
 * the reason instead of failing.
 */
final class Tmpfs implements AutoCloseable {

    final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    static Tmpfs mount(Path at, String size) throws IOException, InterruptedException {
        Files.createDirectories(at);
        String[] out = new String[1];
        int rc = run(out, "mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", at.toString());
        assumeTrue(rc == 0, "skipped: cannot mount a " + size + " tmpfs at " + at + " (needs root or CAP_SYS_ADMIN): "
                + out[0].strip());
        return new Tmpfs(at);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(new String[1], "umount", "-l", dir.toString());
    }

    private static int run(String[] output, String... command) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            output[0] = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor();
        } catch (IOException e) {
            output[0] = e.getMessage();
            return -1;
        }
    }
}
