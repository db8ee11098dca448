package org.b3lb.node.cleanup;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.b3lb.node.config.Settings;

/**
 * {@code b3lb-node clean [--dry-run] [--verbose]}: one pass with the service's own code and
 * configuration, whether or not the schedule is enabled, then exit. Replaces the spec's "edit the
 * script to set DRY_RUN = True": {@code --dry-run} or {@code b3lb.cleaner.dry-run=true} make it a
 * dry run. Its output is the pass's report ({@code would delete <name>} or {@code deleted <name>}
 * per recording; in a dry run {@code keep N tars: <why>} per reason, or with {@code --verbose}
 * {@code keep <name>: <why>} per entry) and the summary on stdout, then what the disk guard does
 * (or would do) now; errors are logged as in the service.
 */
public final class CleanupCommand {

    private CleanupCommand() {
    }

    /** @return the exit code: 0 when the pass had no error, 1 otherwise */
    public static int run(Settings settings, boolean dryRunFlag, boolean verbose, PrintStream out) {
        CleanupConfig config = CleanupConfig.from(settings);
        RecordingRemover remover = new RecordingRemover(config);
        boolean dryRun = dryRunFlag || config.dryRun();
        // one write per 64 KiB instead of per line: a dry run over a backlog prints a line per recording
        PrintStream report = new PrintStream(new BufferedOutputStream(out, 1 << 16), false, StandardCharsets.UTF_8);
        CleanupPass.Report lines = new CleanupPass.Report() {
            @Override
            public void line(String text) {
                report.println(text);
            }

            @Override
            public void flush() {
                report.flush();
            }

            @Override
            public boolean verbose() {
                return verbose;
            }
        };
        // metrics of a process that exits at once are never scraped; the registry only satisfies the pass
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        CleanupPass pass = new CleanupPass(config, dryRun, new CleanupMetrics(meters, Instant.now()), lines, remover);
        CleanupResult r = pass.run();
        report.println(r.summary());
        DiskGuard guard = new DiskGuard(config, remover, dryRun, meters, lines);
        DiskGuard.Check g = guard.check();
        report.println(GuardReport.summary(g, config));
        report.flush();
        if (g.unmet() && !dryRun) {
            System.err.println(GuardReport.unmet(g, config));
        }
        return r.errors() == 0 && g.errors() == 0 ? 0 : 1;
    }
}
