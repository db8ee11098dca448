package org.b3lb.node.cleanup;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs BBB's {@code bbb-record --delete <id>} for a recording whose tar the cleanup removed, as
 * B3LB's own pusher does after an upload, so BBB's raw and published copies stop filling the
 * node's disk. Hand-written: Camel's exec component runs a command as a route step, but this is
 * one call inside a pass that must go on whatever the command does. A failure is one WARN: the
 * tar is already gone and the next pass has nothing to retry.
 */
final class BbbRecord {

    private static final Logger LOG = LoggerFactory.getLogger(BbbRecord.class);
    /** bbb-record --delete removes a few directories; anything longer is hanging. */
    private static final long TIMEOUT_SECONDS = 120;

    private final String command;

    BbbRecord(String command) {
        this.command = command;
    }

    String command() {
        return command;
    }

    /** @return true when the command exited 0 */
    boolean delete(String id) {
        // its output goes where ours goes (the journal, or the admin's terminal for `clean`)
        try {
            Process p = new ProcessBuilder(command, "--delete", id).redirectInput(Redirect.from(new File("/dev/null")))
                    .redirectOutput(Redirect.INHERIT).redirectError(Redirect.INHERIT).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("cleanup: {} --delete {} did not finish within {} s and was killed; BBB's copies of {} may"
                        + " remain: run it by hand", command, id, TIMEOUT_SECONDS, id);
                return false;
            }
            if (p.exitValue() != 0) {
                LOG.warn("cleanup: {} --delete {} exited {}; BBB's copies of {} may remain: see its output above, run it"
                        + " by hand or set b3lb.cleaner.delete-bbb-recording=false", command, id, p.exitValue(), id);
                return false;
            }
            return true;
        } catch (IOException e) {
            LOG.warn("cleanup: cannot run {} --delete {}: {}; check b3lb.cleaner.bbb-record-command (BBB installs"
                    + " /usr/bin/bbb-record)", command, id, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("cleanup: interrupted while {} --delete {} ran (service stopping)", command, id);
            return false;
        }
    }
}
