package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** systemctl and nginx as an admin would type them; run only on the node itself, never under --root. */
final class SystemCommands {

    /** exit code and the last line it printed */
    record Result(int code, String lastLine) {
        boolean ok() {
            return code == 0;
        }
    }

    private SystemCommands() {
    }

    static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "did not finish within 120 s");
            }
            List<String> lines = out.lines().toList();
            return new Result(p.exitValue(), lines.isEmpty() ? "" : lines.get(lines.size() - 1));
        } catch (IOException e) {
            return new Result(-1, cmd[0] + " not found: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static boolean nginxActive() {
        return run("systemctl", "is-active", "--quiet", "nginx.service").ok();
    }
}
