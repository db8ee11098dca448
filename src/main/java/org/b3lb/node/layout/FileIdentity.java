package org.b3lb.node.layout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.attribute.FileTime;

/**
 * Which version of a file: device, inode, size and mtime, read without following links. The hook
 * renames every new tar into place (a new inode), a rewrite in place changes mtime or size: two
 * reads that agree mean the same bytes, as far as a file system can tell without reading them.
 */
public record FileIdentity(long dev, long ino, long size, long mtimeNanos, boolean regular) {

    private static final Pattern LINE = Pattern.compile("dev=([-+]?\\d+) ino=([-+]?\\d+) size=([-+]?\\d+) mtime=([-+]?\\d+)");

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
        Matcher m = LINE.matcher(line.strip());
        try {
            return m.matches() ? new FileIdentity(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), true) : null;
        } catch (NumberFormatException e) {
            return null; // beyond a long
        }
    }
}
