package org.b3lb.node.cleanup;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import org.b3lb.node.cleanup.RetentionRule.Look;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.b3lb.node.config.Protocol;
import org.b3lb.node.layout.HookCommand;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;

/**
 * Why a dry run keeps a {@code *.tar} entry, in the words an admin asking "why is my disk still
 * full?" needs: pending (has a marker), too young, not uploaded and not marked (with the command
 * that marks it), not a regular file, symlink, not a recording name.
 */
final class KeepReason {

    private KeepReason() {
    }

    static String badName() {
        return "not a recording name (an id is a letter or digit, then letters, digits, '.', '-', '_', at most "
                + RecordingLayout.MAX_ID_LENGTH + " characters)";
    }

    /** The line an admin acts on: no marker will upload it, no evidence lets anything delete it. */
    static String unmarked(RecordingFiles r, Protocol protocol) {
        String evidence = Files.exists(r.evidence(), LinkOption.NOFOLLOW_LINKS)
                ? r.id() + RecordingLayout.EVIDENCE + " names another version of the tar (rebuilt or replaced since)"
                : "no " + r.id() + RecordingLayout.EVIDENCE;
        return "not uploaded, not marked (no " + r.id() + RecordingLayout.MARKER + ", " + evidence
                + "); to upload it: " + HookCommand.mark(protocol, r.id());
    }

    /**
     * @param a         the entry's attributes, read without following links
     * @param nowMillis the pass's start
     */
    static String explain(RecordingFiles r, Look look, BasicFileAttributes a, long nowMillis, Duration retention,
            Protocol protocol) {
        if (a.isSymbolicLink()) {
            return "symlink (the cleanup never follows or deletes links)";
        }
        if (!a.isRegularFile()) {
            return "not a regular file (" + (a.isDirectory() ? "a directory" : "a device, socket or pipe") + ")";
        }
        if (look.verdict() == Verdict.UNMARKED) {
            return unmarked(r, protocol);
        }
        if (look.verdict() == Verdict.PENDING || look.uploadedAt() == null || !Files.notExists(r.marker(), LinkOption.NOFOLLOW_LINKS)) {
            return "pending: has a marker (" + r.id() + RecordingLayout.MARKER + "), not uploaded yet";
        }
        long days = Math.max(0, Duration.ofMillis(nowMillis - look.uploadedAt().toEpochMilli()).toDays());
        return "too young: uploaded " + days + (days == 1 ? " day" : " days") + " ago, kept for " + retention.toDays()
                + (retention.toDays() == 1 ? " day" : " days");
    }
}
