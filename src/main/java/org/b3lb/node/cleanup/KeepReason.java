package org.b3lb.node.cleanup;

import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Why a dry run keeps a {@code *.tar} entry, in the words an admin asking "why is my disk still
 * full?" needs: pending (has a marker), too young, not a regular file, symlink, not a recording name.
 */
final class KeepReason {

    private KeepReason() {
    }

    static String badName() {
        return "not a recording name (an id is a letter or digit, then letters, digits, '.', '-', '_')";
    }

    /**
     * @param a            the entry's attributes, read without following links
     * @param markerAbsent asked for every recording, young ones too: a dry run explains, a real pass does not
     * @param nowMillis    the pass's start
     */
    static String explain(BasicFileAttributes a, BooleanSupplier markerAbsent, long nowMillis, Duration retention,
            String id) {
        if (a.isSymbolicLink()) {
            return "symlink (the cleanup never follows or deletes links)";
        }
        if (!a.isRegularFile()) {
            return "not a regular file (" + (a.isDirectory() ? "a directory" : "a device, socket or pipe") + ")";
        }
        if (!markerAbsent.getAsBoolean()) {
            return "pending: has a marker (" + RetentionRule.markerName(id) + "), not uploaded yet";
        }
        long days = Math.max(0, Duration.ofMillis(nowMillis - a.lastModifiedTime().toMillis()).toDays());
        return "too young: uploaded " + days + (days == 1 ? " day" : " days") + " ago, kept for " + retention.toDays()
                + (retention.toDays() == 1 ? " day" : " days");
    }
}
