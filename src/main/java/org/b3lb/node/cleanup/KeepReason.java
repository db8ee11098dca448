package org.b3lb.node.cleanup;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.function.Supplier;
import org.b3lb.node.cleanup.RetentionRule.Look;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.b3lb.node.config.Protocol;
import org.b3lb.node.layout.HookCommand;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;

/**
 * Why a dry run keeps a {@code *.tar} (or temp file), for an admin asking "why is my disk still
 * full?". A dry run keeps most of a large directory, so it prints one line per reason ({@link Count});
 * each entry's own line only when the report is verbose.
 */
enum KeepReason {
    TOO_YOUNG("too young: uploaded less than the retention ago"),
    /** the summary's "pending": a marker on a tar past the retention, an upload stuck or running */
    PENDING("pending: marked for upload, past the retention and not uploaded yet"),
    MARKED("marked for upload, not uploaded yet, younger than the retention"),
    UNMARKED("not uploaded, not marked: nothing uploads or deletes them (clean --dry-run --verbose prints the command"
            + " that marks each)"),
    SYMLINK("symlink (the cleanup never follows or deletes links)"),
    NOT_REGULAR("not a regular file (a directory, device, socket or pipe)"),
    BAD_NAME("not a recording name (an id is a letter or digit, then letters, digits, '.', '-', '_', at most "
            + RecordingLayout.MAX_ID_LENGTH + " characters)"),
    WRITER_AT_WORK("temp file a writer may still be at work on (leftovers go after " + Leftovers.AGE.toHours() + " h)");

    private final String summary;

    KeepReason(String summary) {
        this.summary = summary;
    }

    String summary() {
        return summary;
    }

    /** What a dry run keeps, by reason; the entries' own lines go to the report only when it is verbose. */
    static final class Count {
        private final long[] counts = new long[values().length];
        private final CleanupPass.Report report;

        Count(CleanupPass.Report report) {
            this.report = report;
        }

        void keep(KeepReason why, String name, Supplier<String> detail) {
            counts[why.ordinal()]++;
            if (report.verbose()) {
                report.line("keep " + name + ": " + detail.get());
            }
        }

        /** One line per reason that kept anything, in the order above. */
        void summarize() {
            for (KeepReason why : values()) {
                long n = counts[why.ordinal()];
                if (n > 0) {
                    report.line("keep " + n + (why == WRITER_AT_WORK ? " temp file" : " tar") + (n == 1 ? "" : "s") + ": "
                            + why.summary);
                }
            }
        }
    }

    /**
     * Why a tar the rule did not call expired is kept. A young upload whose marker is back (the
     * hook marked it again) counts as marked.
     *
     * @param a the entry's attributes, read without following links; needed only for {@link Verdict#NOT_A_RECORDING}
     */
    static KeepReason of(RecordingFiles r, Look look, BasicFileAttributes a) {
        return switch (look.verdict()) {
            case NOT_A_RECORDING -> a.isSymbolicLink() ? SYMLINK : NOT_REGULAR;
            case UNMARKED -> UNMARKED;
            case PENDING -> PENDING;
            default -> look.uploadedAt() == null || !Files.notExists(r.marker(), LinkOption.NOFOLLOW_LINKS) ? MARKED : TOO_YOUNG;
        };
    }

    /** The entry's own line; {@code a} as for {@link #of}, {@code nowMillis} the pass's start. */
    String explain(RecordingFiles r, Look look, BasicFileAttributes a, long nowMillis, Duration retention,
            Protocol protocol) {
        return switch (this) {
            case NOT_REGULAR -> "not a regular file (" + (a.isDirectory() ? "a directory" : "a device, socket or pipe") + ")";
            // the line an admin acts on: no marker will upload it, no evidence lets anything delete it
            case UNMARKED -> "not uploaded, not marked (no " + r.id() + RecordingLayout.MARKER + ", "
                    // java.io's exists: no exception for the usual absent file (Files.exists costs 2x, and a
                    // dry run over a backlog asks once per unmarked tar); a link to evidence reads as evidence here
                    + (r.evidence().toFile().exists() ? r.id() + RecordingLayout.EVIDENCE
                            + " names another version of the tar (rebuilt or replaced since)" : "no " + r.id() + RecordingLayout.EVIDENCE)
                    + "); to upload it: " + HookCommand.mark(protocol, r.id());
            case PENDING -> "pending: marked for upload (" + r.id() + RecordingLayout.MARKER + "), past the retention and not"
                    + " uploaded yet";
            case MARKED -> "marked for upload (" + r.id() + RecordingLayout.MARKER + "), not uploaded yet, younger than the"
                    + " retention";
            case TOO_YOUNG -> {
                long days = Math.max(0, Duration.ofMillis(nowMillis - look.uploadedAt().toEpochMilli()).toDays());
                yield "too young: uploaded " + days + (days == 1 ? " day" : " days") + " ago, kept for "
                        + retention.toDays() + (retention.toDays() == 1 ? " day" : " days");
            }
            default -> summary;
        };
    }
}
