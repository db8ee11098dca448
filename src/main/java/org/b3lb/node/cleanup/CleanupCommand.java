package org.b3lb.node.cleanup;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import org.b3lb.node.config.Settings;

/**
 * {@code b3lb-node clean [--dry-run]}: one pass with the service's own code and configuration,
 * whether or not the schedule is enabled, then exit. Replaces the spec's "edit the script to set
 * DRY_RUN = True": {@code --dry-run} or {@code b3lb.cleaner.dry-run=true} make it a dry run.
 */
public final class CleanupCommand {

    private CleanupCommand() {
    }

    /** @return the exit code: 0 when the pass had no error, 1 otherwise */
    public static int run(Settings settings, boolean dryRunFlag, PrintStream out) {
        CleanupConfig config = CleanupConfig.from(settings);
        // metrics of a process that exits at once are never scraped; the registry only satisfies the pass
        CleanupPass pass = new CleanupPass(config, dryRunFlag || config.dryRun(), new CleanupMetrics(new SimpleMeterRegistry()));
        CleanupResult r = pass.run();
        out.println(r.summary());
        return r.errors() == 0 ? 0 : 1;
    }
}
