package org.b3lb.node.layout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code <id>.uploaded}: positive evidence that B3LB answered 2xx for exactly one version of
 * {@code <id>.tar}. Its one line is that version's {@link FileIdentity}; its mtime is the moment of
 * the 2xx, from which the retention counts. A tar is uploaded only while the evidence exists, reads
 * back and names the tar as it is now: a rebuilt, rewritten or replaced tar has no evidence, so no
 * cleanup deletes it. Not an empty file (as first proposed) because an empty file cannot tell which
 * version it was written for, and the hook may put a new version in place at any moment.
 */
public final class Evidence {

    /** An evidence file larger than this was not written by us. */
    private static final int MAX_BYTES = 512;
    private static final String HEAD = "b3lb-node uploaded ";

    private Evidence() {
    }

    /**
     * Writes the evidence for {@code sent} (temp file, fsync, mtime, rename, directory fsync), so a
     * crash leaves either no evidence or a whole one.
     */
    public static void write(RecordingFiles r, FileIdentity sent, Instant at) throws IOException {
        Path tmp = r.dir().resolve(RecordingLayout.tempName(r.id(), RecordingLayout.EVIDENCE,
                Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)));
        WholeFile.write(r.evidence(), tmp, (HEAD + sent.line() + "\n").getBytes(StandardCharsets.US_ASCII), FileTime.from(at),
                null);
    }

    /**
     * @return the moment of the 2xx when the evidence exists, is a regular file and names
     *         {@code tar} as it is now; empty otherwise (no evidence, unreadable, another version)
     */
    public static Optional<Instant> uploadedAt(RecordingFiles r, FileIdentity tar) {
        if (tar == null) {
            return Optional.empty();
        }
        Path evidence = r.evidence();
        try {
            BasicFileAttributes a = Files.readAttributes(evidence, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || a.size() > MAX_BYTES) {
                return Optional.empty();
            }
            FileIdentity named = read(evidence, (int) a.size());
            return tar.sameVersion(named) ? Optional.of(a.lastModifiedTime().toInstant()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The identity an evidence file of {@code size} bytes names, or null when it is no evidence of ours.
     * Reads no further than {@code size}: one read instead of two, as a cleanup pass reads one per tar.
     */
    static FileIdentity read(Path evidence, int size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.min(size, MAX_BYTES));
        // a regular file was seen; NOFOLLOW and the size bound keep a swapped-in link or FIFO harmless
        try (SeekableByteChannel in = Files.newByteChannel(evidence, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (b.hasRemaining() && in.read(b) > 0) {
                // one replaced meanwhile reads short or cut: it names no version or another, never this tar
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
        return s.startsWith(HEAD) ? FileIdentity.parse(s.substring(HEAD.length())) : null;
    }
}
