package org.b3lb.node.upload;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;

/**
 * The files of one attempt as they were when it started: the marker's identity (and under b3lb
 * its nonce), the tar and the meta file opened then, each with its identity. The body is sent from
 * these channels with exactly these sizes, and what changed since decides whether a 2xx is a
 * success ({@link #check}). Hand-written because nothing in Camel or the JDK ties a send to the
 * version of a file it started from.
 *
 * <p>Every file is looked at with lstat first: anything but a regular file (a FIFO, socket, device
 * or link) is refused before an open that could block a worker. A file swapped between that look
 * and the open is seen by the second look right after the open, and refused as changed.
 */
final class SentFiles implements Closeable {

    /** What happened to the files since the attempt started, mildest first. */
    enum Change { UNCHANGED, REPLACED, CHANGED }

    record Opened(Path path, FileIdentity identity, FileChannel channel) {
    }

    /** A file changed between the look and the open, or while it was sent: not a failure of the server. */
    static final class ChangedException extends IOException {
        ChangedException(String message) {
            super(message);
        }
    }

    /** A file of the recording could not be opened or read: told apart from network errors. */
    static final class ReadException extends IOException {
        private final Path path;

        ReadException(Path path, IOException cause) {
            super(cause.getMessage(), cause);
            this.path = path;
        }

        Path path() {
            return path;
        }
    }

    private final FileIdentity marker;
    private final String nonce;
    private final Opened tar;
    private final Opened meta;
    private volatile boolean misread;

    private SentFiles(FileIdentity marker, String nonce, Opened tar, Opened meta) {
        this.marker = marker;
        this.nonce = nonce;
        this.tar = tar;
        this.meta = meta;
    }

    /**
     * Looks at the marker, reads the nonce (b3lb), opens the tar and the meta file (b3lb).
     *
     * @throws UploadFailure.Permanent when a file is not a regular file, the meta file is missing or the nonce invalid
     * @throws NoSuchFileException     when the marker or the tar went away since the poll
     */
    static SentFiles open(RecordingFiles r, boolean b3lb) throws UploadFailure, IOException {
        FileIdentity marker = regular(r.marker(), b3lb ? "remove it and re-run the hook for this meeting: " + B3lbProtocol.rerun(r.id())
                : "remove it; the hook writes the marker as a regular file after the tar");
        String nonce = null;
        if (b3lb) {
            nonce = B3lbProtocol.nonce(r);
            if (!marker.sameVersion(FileIdentity.of(r.marker()))) {
                throw new ChangedException(r.marker() + " was written anew while its nonce was read");
            }
        }
        Opened tar = open(r.tar(), "replace it with the recording's tar file");
        if (!b3lb) {
            return new SentFiles(marker, null, tar, null);
        }
        try {
            Opened meta = open(r.meta(), "remove it and re-run the hook for this meeting: " + B3lbProtocol.rerun(r.id()));
            if (meta.identity().mtimeNanos() > marker.mtimeNanos()) {
                // the hook writes the meta file before the tar and the marker last: a meta file younger than the
                // marker belongs to a run that has not put its tar in place yet, and would be sent with the older tar
                meta.channel().close();
                throw new ChangedException(r.meta() + " is newer than " + r.marker().getFileName() + " (a hook run is writing a new version)");
            }
            return new SentFiles(marker, nonce, tar, meta);
        } catch (NoSuchFileException e) {
            tar.channel().close();
            throw new UploadFailure.Permanent(0, "no " + r.meta().getFileName() + " beside " + r.tar().getFileName()
                    + ": the hook writes it before the marker, so it was removed since, and B3LB takes no recording "
                    + "without its metadata.xml; re-run the hook for this meeting: " + B3lbProtocol.rerun(r.id()));
        } catch (IOException | UploadFailure | RuntimeException e) {
            tar.channel().close();
            throw e;
        }
    }

    /** lstat, never an open: a FIFO would block the open until a writer comes. */
    private static FileIdentity regular(Path file, String fix) throws UploadFailure.Permanent, IOException {
        FileIdentity id = FileIdentity.of(file);
        if (!id.regular()) {
            throw new UploadFailure.Permanent(0, file + " is " + kind(file) + ", not a regular file; refusing to open it: " + fix);
        }
        return id;
    }

    private static Opened open(Path file, String fix) throws UploadFailure, IOException {
        FileIdentity before = regular(file, fix);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            if (before.sameVersion(FileIdentity.of(file))) {
                return new Opened(file, before, ch);
            }
        } catch (IOException e) {
            if (ch != null) {
                ch.close();
            }
            throw e instanceof NoSuchFileException ? e : new ReadException(file, e);
        }
        ch.close();
        throw new ChangedException(file + " was replaced while it was opened");
    }

    /** What lstat saw, in words: {@code unix:mode} tells a FIFO from a socket or a device. */
    private static String kind(Path file) {
        try {
            if (Files.isSymbolicLink(file)) {
                return "a symbolic link";
            }
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                return "a directory";
            }
            int type = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
            return switch (type) {
                case 0010000 -> "a FIFO (named pipe)";
                case 0140000 -> "a socket";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                default -> "a special file";
            };
        } catch (IOException | RuntimeException e) {
            return "a special file";
        }
    }

    FileIdentity marker() {
        return marker;
    }

    /** B3LB's nonce as the marker held it when the attempt started; null under the spec protocol. */
    String nonce() {
        return nonce;
    }

    Opened tar() {
        return tar;
    }

    /** Null under the spec protocol. */
    Opened meta() {
        return meta;
    }

    /** A read of an opened file came up short or long against its size: the body is not that version. */
    void misread() {
        misread = true;
    }

    /**
     * Compares the files with the versions opened. CHANGED: rewritten or appended in place, or read
     * short or long: what was sent is no version of the recording. REPLACED: a new file was renamed
     * over it (or it was removed): what was sent is the whole older version, and a newer one waits.
     */
    Change check() {
        if (misread) {
            return Change.CHANGED;
        }
        // the enum's order: the worst change of either file decides
        return opened().stream().map(SentFiles::check).max(Enum::compareTo).orElseThrow();
    }

    private static Change check(Opened o) {
        try {
            FileIdentity now = FileIdentity.of(o.path());
            if (now.sameVersion(o.identity())) {
                return Change.UNCHANGED;
            }
            if (now.dev() == o.identity().dev() && now.ino() == o.identity().ino()) {
                return Change.CHANGED;
            }
        } catch (IOException e) {
            // removed, or unreadable now: the opened file decides below
        }
        try {
            // the opened inode itself must still be the size it was opened with (its mtime cannot be read from a channel)
            return o.channel().size() == o.identity().size() ? Change.REPLACED : Change.CHANGED;
        } catch (IOException e) {
            return Change.CHANGED;
        }
    }

    private List<Opened> opened() {
        return meta == null ? List.of(tar) : List.of(tar, meta);
    }

    /** The names of the files a newer version replaced, for a REPLACED outcome. */
    String replaced() {
        return opened().stream().filter(o -> check(o) == Change.REPLACED).map(o -> o.path().getFileName().toString())
                .collect(Collectors.joining(" and "));
    }

    /** The sentence for a CHANGED outcome, naming what changed. */
    String changedMessage() {
        return tar.path().getFileName() + (meta == null ? "" : " or " + meta.path().getFileName())
                + " changed while being sent; sent again once it stops changing";
    }

    @Override
    public void close() {
        for (Opened o : opened()) {
            try {
                o.channel().close();
            } catch (IOException e) {
                // read-only: nothing is lost by a failed close
            }
        }
    }
}
