package org.b3lb.node.cleanup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Builds recording directories for the cleanup tests: files with a chosen age, markers, links. */
final class Fixture {

    static final Duration OLD = Duration.ofDays(10);
    static final Duration NEW = Duration.ofHours(1);

    private Fixture() {
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
