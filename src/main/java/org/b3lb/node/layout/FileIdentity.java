package org.b3lb.node.layout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.nio.file.attribute.FileTime;

/**
 * Which version of a file: device, inode, size and mtime, read without following links. The hook
 * renames every new tar into place (a new inode), a rewrite in place changes mtime or size: two
 * reads that agree mean the same bytes, as far as a file system can tell without reading them.
 */
public record FileIdentity(long dev, long ino, long size, long mtimeNanos, boolean regular) {

    /** @throws IOException when it cannot be read, {@link java.nio.file.NoSuchFileException} when it is gone */
    public static FileIdentity of(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,isRegularFile",
                LinkOption.NOFOLLOW_LINKS);
        return new FileIdentity((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS), (Boolean) a.get("isRegularFile"));
    }

    /** Same file and same version: what the evidence and a finished upload compare. */
    public boolean sameVersion(FileIdentity other) {
        return other != null && dev == other.dev && ino == other.ino && size == other.size && mtimeNanos == other.mtimeNanos;
    }

    /** One line, as the evidence file holds it. */
    public String line() {
        return "dev=" + dev + " ino=" + ino + " size=" + size + " mtime=" + mtimeNanos;
    }

    /** The inverse of {@link #line()}, or null for anything else. */
    public static FileIdentity parse(String line) {
        String[] f = line.strip().split(" ");
        if (f.length != 4) {
            return null;
        }
        long[] v = new long[4];
        String[] keys = {"dev=", "ino=", "size=", "mtime="};
        for (int i = 0; i < 4; i++) {
            if (!f[i].startsWith(keys[i])) {
                return null;
            }
            try {
                v[i] = Long.parseLong(f[i].substring(keys[i].length()));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return new FileIdentity(v[0], v[1], v[2], v[3], true);
    }
}
