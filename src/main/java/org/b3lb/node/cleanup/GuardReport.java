package org.b3lb.node.cleanup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.b3lb.node.config.Sizes;

/** The disk guard's log and report lines, in an admin's words. */
final class GuardReport {

    private GuardReport() {
    }

    /** What a check did or would do and whether the target is (would be) met. */
    static String summary(DiskGuard.Check c, CleanupConfig config) {
        Path dir = config.recordingDir();
        if (!c.enabled()) {
            return "disk guard: off (b3lb.cleaner.min-free is empty)"
                    + (c.freeBytes() < 0 ? "" : "; " + Sizes.bytes(c.freeBytes()) + " free on " + dir);
        }
        String would = c.dryRun() ? "would " : "";
        String head = "disk guard: target b3lb.cleaner.min-free=" + config.minFree().text() + " (" + Sizes.bytes(c.targetBytes())
                + ") on " + dir + ": ";
        if (c.deleted() == 0 && !c.unmet()) {
            return head + Sizes.bytes(c.freeBytes()) + " free, " + (c.dryRun() ? "would delete" : "deleted") + " nothing";
        }
        String end = c.unmet()
                ? "; target " + would + "still " + (c.dryRun() ? "be " : "") + "unmet with " + Sizes.bytes(c.freeBytes())
                        + " free: " + CleanupResult.recordings(c.pendingCount()) + " (" + Sizes.bytes(c.pendingBytes())
                        + ") await upload"
                : "; " + Sizes.bytes(c.freeBytes()) + " free" + (c.dryRun() ? " then" : " now");
        return head + CleanupResult.did(c.dryRun(), c.deleted(), c.freedBytes()) + end + CleanupResult.errors(c.errors());
    }

    /** The ERROR logged once per check while the target is out of reach. */
    static String unmet(DiskGuard.Check c, CleanupConfig config) {
        String cause = c.pendingCount() > 0
                ? "likely cause: uploads are not getting through (journalctl -u b3lb-node | grep upload); recordings"
                        + " awaiting upload are never deleted"
                : c.unmarkedCount() > 0
                ? "likely cause: recordings neither uploaded nor marked, which nothing deletes: mark them for upload"
                        + " (b3lb-node clean --dry-run --verbose prints the command for each)"
                : "likely cause: the filesystem is filled by files other than uploaded recordings (BBB's raw and"
                        + " published recordings, logs: du -sh /var/bigbluebutton/*; see b3lb.cleaner.delete-bbb-recording)";
        return String.format(Locale.ROOT, "disk guard: only %s free on the filesystem of %s, below b3lb.cleaner.min-free=%s"
                + " (%s), and nothing more can be deleted: %s (%s) await upload%s; %s; next check in %s",
                Sizes.bytes(c.freeBytes()), config.recordingDir(), config.minFree().text(), Sizes.bytes(c.targetBytes()),
                CleanupResult.recordings(c.pendingCount()), Sizes.bytes(c.pendingBytes()),
                c.unmarkedCount() > 0 ? ", " + c.unmarkedCount() + " not uploaded and not marked (b3lb-node clean"
                        + " --dry-run --verbose shows how to mark each)" : "",
                cause, Sizes.duration(config.guardInterval()));
    }

    static String age(long millis) {
        Duration d = Duration.ofMillis(Math.max(0, millis));
        return d.toDays() > 0 ? d.toDays() + (d.toDays() == 1 ? " day" : " days")
                : d.toHours() > 0 ? d.toHours() + " h" : d.toMinutes() + " min";
    }
}
