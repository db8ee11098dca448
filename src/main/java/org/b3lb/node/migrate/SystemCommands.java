package org.b3lb.node.migrate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The commands migrate runs (systemctl and nginx as an admin would type them, python3, tar, the hook): one way to run them. */
final class SystemCommands {

    /** exit code (-1: did not finish), stdout and stderr stripped; stderr is empty when merged into stdout */
    record Result(int code, String out, String err) {
        boolean ok() {
            return code == 0;
        }

        String lastLine() {
            String s = err.isEmpty() ? out : err;
            return s.isEmpty() ? "exit " + code : s.lines().reduce((a, b) -> b).orElse(s);
        }
    }

    private SystemCommands() {
    }

    /** systemctl or nginx, output and errors together, within 120 s; never under --root. */
    static Result run(String... cmd) {
        try {
            return exec(new ProcessBuilder(cmd).redirectErrorStream(true), "", 120);
        } catch (IOException e) {
            return new Result(-1, "", cmd[0] + " not found: " + e.getMessage());
        }
    }

    /** @throws IOException when the command cannot be started (not installed) */
    static Result exec(ProcessBuilder pb, String stdin, long seconds) throws IOException {
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out, "did not finish within " + seconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, out, "interrupted");
        }
        return new Result(p.exitValue(), out, err);
    }
}
