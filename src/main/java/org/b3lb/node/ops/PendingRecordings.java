package org.b3lb.node.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.HookCommand;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;

/**
 * The recordings waiting for upload, read from the directory itself ({@code <id>.ready} markers
 * and their tars), so status and metrics also see markers the route has not polled yet, and the
 * tars that are neither uploaded nor marked (no marker, no evidence naming them: nothing uploads
 * them, nothing deletes them). One listing per scan, which keeps only totals and the {@link #KEPT}
 * oldest entries, so a backlog of 100,000 markers costs
 * the same memory as one of 10; scans are reused for {@link #MAX_AGE} so scrapes and status calls
 * in a burst read the directory once.
 */
public final class PendingRecordings {

    static final int KEPT = 50;
    static final Duration MAX_AGE = Duration.ofSeconds(5);
    /**
     * How long an unmarked count is reused. Telling an uploaded tar from an unmarked one costs a
     * stat and a read of its evidence, 40 us a tar (20,000 uploaded tars: 0.8 s), too dear for
     * every scrape; the condition lasts until an admin acts, and its alert waits 30 minutes.
     */
    static final Duration UNMARKED_MAX_AGE = Duration.ofMinutes(5);

    /** One pending recording: its marker's age counts from when the hook finished the tar. */
    public record Entry(String id, Instant markedAt, long tarBytes) {
    }

    /**
     * @param oldest   the oldest pending recordings, oldest first, at most {@link #KEPT}
     * @param unmarked tars with neither marker nor evidence, unchanged for {@link HookCommand#MARKS_WITHIN}
     *                 (counted at most {@link #UNMARKED_MAX_AGE} ago)
     * @param error    why the directory could not be read, or null
     */
    public record Scan(Instant takenAt, int count, long totalBytes, List<Entry> oldest, int unmarked, String error) {

        public Duration oldestAge(Instant now) {
            return oldest.isEmpty() ? Duration.ZERO : Duration.between(oldest.get(0).markedAt(), now);
        }
    }

    private final Path dir;
    private final Clock clock;
    private volatile Scan last;
    private volatile int unmarked;
    private volatile Instant unmarkedAt;

    public PendingRecordings(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The gauges the monitoring pack alerts on that no route owns, all from one cached scan (so a
     * scrape lists the directory once): {@code b3lb_pending_recordings} (markers the route will take:
     * hidden ones are {@code b3lb_skipped_markers}), {@code b3lb_pending_oldest_age_seconds} (0 when
     * nothing waits), {@code b3lb_pending_bytes} and {@code b3lb_unmarked_recordings}.
     * ({@code b3lb_disk_free_bytes} is the disk guard's, registered whether the guard is on or not.)
     */
    public void bindGauges(MeterRegistry registry) {
        Gauge.builder("b3lb.pending.recordings", this, p -> p.scan().count())
                .description("<id>.ready markers waiting in b3lb.recording-dir")
                .register(registry);
        Gauge.builder("b3lb.pending.oldest.age", this, p -> p.scan().oldestAge(clock.instant()).toMillis() / 1000.0)
                .baseUnit("seconds")
                .description("age of the oldest <id>.ready marker waiting in b3lb.recording-dir, 0 when none")
                .register(registry);
        Gauge.builder("b3lb.pending", this, p -> p.scan().totalBytes())
                .baseUnit("bytes")
                .description("size of the tars of the recordings waiting for upload")
                .register(registry);
        Gauge.builder("b3lb.unmarked.recordings", this, p -> p.scan().unmarked())
                .description("<id>.tar in b3lb.recording-dir with neither a marker nor upload evidence; b3lb-node clean"
                        + " --dry-run names each with the command that marks it")
                .register(registry);
    }

    /** @return a scan at most {@link #MAX_AGE} old */
    public Scan scan() {
        Scan s = last;
        Instant now = clock.instant();
        if (s == null || Duration.between(s.takenAt(), now).compareTo(MAX_AGE) >= 0 || now.isBefore(s.takenAt())) {
            s = read(now);
            last = s;
        }
        return s;
    }

    private Scan read(Instant now) {
        Comparator<Entry> newestFirst = Comparator.comparing(Entry::markedAt).reversed();
        PriorityQueue<Entry> oldest = new PriorityQueue<>(newestFirst);
        int count = 0;
        Instant counted = unmarkedAt;
        boolean countUnmarked = counted == null || Duration.between(counted, now).compareTo(UNMARKED_MAX_AGE) >= 0
                || now.isBefore(counted);
        int unmarked = 0;
        long total = 0;
        long settledBefore = now.minus(HookCommand.MARKS_WITHIN).toEpochMilli();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String path = p.toString(); // cheaper than getFileName(), which builds a Path per entry
                String name = path.substring(path.lastIndexOf('/') + 1);
                if (name.endsWith(RecordingLayout.TAR)) {
                    String tarId = countUnmarked ? RecordingLayout.idOf(name, RecordingLayout.TAR) : null;
                    unmarked += tarId != null && unmarked(new RecordingFiles(dir, tarId), settledBefore) ? 1 : 0;
                    continue;
                }
                String id = RecordingLayout.idOf(name, RecordingLayout.MARKER);
                Entry e = id == null ? null : entry(id, p);
                if (e == null) {
                    continue;
                }
                count++;
                total += Math.max(0, e.tarBytes());
                oldest.add(e);
                if (oldest.size() > KEPT) {
                    oldest.poll();
                }
            }
        } catch (IOException | RuntimeException e) {
            String problem = RecordingLayout.dirProblem(dir);
            return new Scan(now, 0, 0, List.of(), 0, problem != null ? "recording directory " + dir + " " + problem
                    : "cannot read " + dir + ": " + e);
        }
        List<Entry> sorted = new ArrayList<>(oldest);
        sorted.sort(Comparator.comparing(Entry::markedAt));
        if (countUnmarked) {
            this.unmarked = unmarked;
            this.unmarkedAt = now;
        }
        return new Scan(now, count, total, List.copyOf(sorted), this.unmarked, null);
    }

    /**
     * The cleanup's rule for "not uploaded, not marked". The evidence first: an uploaded tar, the
     * common case, then costs no look at its (absent) marker, whose absence Java reports by an
     * exception.
     */
    private static boolean unmarked(RecordingFiles r, long settledBefore) {
        try {
            FileIdentity tar = FileIdentity.of(r.tar());
            return tar.regular() && tar.mtimeNanos() / 1_000_000 < settledBefore && Evidence.uploadedAt(r, tar).isEmpty()
                    && Files.notExists(r.marker(), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false; // gone (deleted or renamed aside) since the listing
        }
    }

    private Entry entry(String id, Path marker) {
        try {
            Instant markedAt = Files.readAttributes(marker, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .lastModifiedTime().toInstant();
            long size;
            try {
                size = Files.readAttributes(new RecordingFiles(dir, id).tar(), BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).size();
            } catch (NoSuchFileException e) {
                size = -1; // the route logs and drops such a marker on its next poll
            }
            return new Entry(id, markedAt, size);
        } catch (IOException e) {
            return null; // uploaded (marker deleted) between the listing and now
        }
    }
}
