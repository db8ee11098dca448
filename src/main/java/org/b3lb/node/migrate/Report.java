package org.b3lb.node.migrate;

import java.io.PrintStream;

/** migrate's output, one prefixed line each ({@code note:} for what only the admin can do), and one summary line. */
final class Report {

    private final PrintStream out;
    private final boolean dryRun;
    private int planned;
    private int done;
    private int failed;

    Report(PrintStream out, boolean dryRun) {
        this.out = out;
        this.dryRun = dryRun;
    }

    boolean dryRun() {
        return dryRun;
    }

    void found(String what) {
        out.println("found: " + what);
    }

    void plan(String what) {
        planned++;
        out.println((dryRun ? "would: " : "will: ") + what);
    }

    void done(String what) {
        done++;
        out.println("done: " + what);
    }

    void failed(String what) {
        failed++;
        out.println("failed: " + what);
    }

    void skipped(String what) {
        out.println("skipped: " + what);
    }

    void note(String what) {
        out.println("note: " + what);
    }

    /** The last line, and the exit code: 0 when nothing failed. */
    int finish() {
        if (planned == 0 && failed == 0) {
            out.println("migrate: nothing to do");
        } else if (dryRun) {
            out.println("migrate --dry-run: " + planned + " step(s) would run; nothing was changed");
        } else {
            out.println("migrate: " + done + " step(s) done, " + failed + " failed"
                    + (failed > 0 ? "; fix what the failed: lines name, then run b3lb-node migrate again" : ""));
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
