package org.b3lb.node.cleanup;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.b3lb.node.config.Settings;

/**
 * {@code b3lb-node clean [--dry-run]}: one pass with the service's own code and configuration,
 * whether or not the schedule is enabled, then exit. Replaces the spec's "edit the script to set
 * DRY_RUN = True": {@code --dry-run} or {@code b3lb.cleaner.dry-run=true} make it a dry run.
 * Its output is the pass's report ({@code would delete <name>} or {@code deleted <name>} per
 * recording) and the summary on stdout; errors are logged as in the service.
 */
public final class CleanupCommand {

    private CleanupCommand() {
    }

    /** @return the exit code: 0 when the pass had no error, 1 otherwise */
    public static int run(Settings settings, boolean dryRunFlag, PrintStream out) {
        CleanupConfig config = CleanupConfig.from(settings);
        // one write per 64 KiB instead of per line: a dry run over a backlog prints a line per recording
        PrintStream report = new PrintStream(new BufferedOutputStream(out, 1 << 16), false, StandardCharsets.UTF_8);
        // metrics of a process that exits at once are never scraped; the registry only satisfies the pass
        CleanupPass pass = new CleanupPass(config, dryRunFlag || config.dryRun(), new CleanupMetrics(new SimpleMeterRegistry()),
                new CleanupPass.Report() {
                    @Override
                    public void line(String text) {
                        report.println(text);
                    }

                    @Override
                    public void flush() {
                        report.flush();
                    }
                });
        CleanupResult r = pass.run();
        report.println(r.summary());
        report.flush();
        return r.errors() == 0 ? 0 : 1;
    }
}
