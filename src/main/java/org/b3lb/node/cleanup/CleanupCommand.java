package org.b3lb.node.cleanup;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.b3lb.node.config.Settings;

/**
 * {@code b3lb-node clean [--dry-run] [--verbose]}: one pass with the service's code and configuration,
 * scheduled or not, then what the disk guard does now. Replaces the spec's "edit the script to set
 * DRY_RUN = True" ({@code --dry-run} or {@code b3lb.cleaner.dry-run=true}). Its stdout is the pass's
 * report (what a dry run keeps by reason, each entry with {@code --verbose}) and the two summaries.
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
        CleanupResult r = new CleanupPass(config, dryRun, new CleanupMetrics(meters, Instant.now()), lines, remover).run();
        report.println(r.summary());
        DiskGuard.Check g = new DiskGuard(config, remover, dryRun, meters, lines).check();
        report.println(GuardReport.summary(g, config));
        report.flush();
        if (g.unmet() && !dryRun) {
            System.err.println(GuardReport.unmet(g, config));
        }
        return r.errors() == 0 && g.errors() == 0 ? 0 : 1;
    }
}
