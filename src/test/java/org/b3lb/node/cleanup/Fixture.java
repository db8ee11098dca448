package org.b3lb.node.cleanup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.b3lb.node.config.Protocol;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;

/** Builds recording directories for the cleanup tests: files with a chosen age, markers, upload evidence, links. */
final class Fixture {

    static final Duration OLD = Duration.ofDays(10);
    static final Duration NEW = Duration.ofHours(1);

    private Fixture() {
    }

    /** A pass with the default retention of 7 days, removing through {@code deleter}. */
    static CleanupPass pass(Path dir, boolean dryRun, MeterRegistry meters, RecordingRemover.Deleter deleter,
            CleanupPass.Report report, Clock clock) {
        return new CleanupPass(dir, new RetentionRule(Duration.ofDays(7)), dryRun, new CleanupMetrics(meters, Instant.now()),
                new RecordingRemover(deleter, null), report, clock, Protocol.SPEC);
    }

    /** A report that a dry run gives each entry it keeps, as {@code clean --dry-run --verbose}. */
    static CleanupPass.Report verbose(List<String> lines) {
        return new CleanupPass.Report() {
            @Override
            public void line(String text) {
                lines.add(text);
            }

            @Override
            public boolean verbose() {
                return true;
            }
        };
    }

    static Path file(Path dir, String name, Duration age) throws IOException {
        return file(dir, name, age, 1000);
    }

    static Path file(Path dir, String name, Duration age, int size) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, new byte[size]);
        age(p, age);
        return p;
    }

    /**
     * An uploaded recording: {@code <id>.tar} and the evidence the upload route writes after a
     * 2xx for it, dated {@code age} ago (1.0 set the tar's mtime to that moment: so does this).
     */
    static Path uploaded(Path dir, String name, Duration age) throws IOException {
        return uploaded(dir, name, age, 1000);
    }

    static Path uploaded(Path dir, String name, Duration age, int size) throws IOException {
        return evidence(file(dir, name, age, size), age);
    }

    /** Evidence for the tar as it is now, its 2xx {@code age} ago; a later change to the tar voids it. */
    static Path evidence(Path tar, Duration age) throws IOException {
        String id = RecordingLayout.idOf(tar.getFileName().toString(), RecordingLayout.TAR);
        Evidence.write(new RecordingFiles(tar.getParent(), id), FileIdentity.of(tar), Instant.now().minus(age));
        return tar;
    }

    /** Sets the mtime of the entry itself, never of a symlink's target. */
    static void age(Path p, Duration age) throws IOException {
        FileTime t = FileTime.from(Instant.now().minus(age));
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
    }

    static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            Set<String> names = new TreeSet<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            return names;
        }
    }
}
