package org.b3lb.node.upload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;

/** Makes what the hook leaves behind: {@code <id>.tar} (random bytes, old mtime) and {@code <id>.ready}. */
final class Recordings {

    static final FileTime OLD = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    private Recordings() {
    }

    static Path tar(Path dir, String id, int size) throws IOException {
        byte[] b = new byte[size];
        new Random(id.hashCode()).nextBytes(b);
        Path tar = dir.resolve(id + ".tar");
        Files.write(tar, b);
        Files.setLastModifiedTime(tar, OLD);
        return tar;
    }

    static Path marker(Path dir, String id) throws IOException {
        return Files.write(dir.resolve(id + ".ready"), new byte[0]);
    }

    /** tar + marker, in the hook's order. */
    static Path ready(Path dir, String id, int size) throws IOException {
        Path tar = tar(dir, id, size);
        marker(dir, id);
        return tar;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest sha = Sink.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
