package org.b3lb.node.migrate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;
import org.b3lb.node.layout.WholeFile;

/**
 * Turns one recording of B3LB's queue into a b3lb-node recording: the installed hook packs it as it
 * packs every published recording under b3lb.protocol=b3lb, into a hidden staging directory; then
 * the tar and metadata are renamed into the recording directory and the marker, holding the
 * queue's nonce (what B3LB's pusher would have sent), is written last. When the hook finds no
 * nonce, another one, or is not installed, the same files are packed here the way it packs them ({@link #pack}).
 */
final class RecordingConverter {

    static final String STAGING = ".b3lb-node-migrate";
    static final String DEFAULT_RAW = "/var/bigbluebutton/recording/raw";
    private static final String META_XML = "metadata.xml";
    /** The hook's B3LB_FREE_SPACE_MARGIN default: room kept free beyond the tar. */
    private static final long FREE_SPACE_MARGIN = 64L * 1024 * 1024;

    private final NodeRoot root;
    private final Path recordingDir;
    private final Path published;
    private final String nonceTag;
    private final Path hook;
    private final Path config;

    /** @param hook the installed b3lb-node hook, or null to pack here */
    RecordingConverter(NodeRoot root, Path recordingDir, B3lbPushConfig b3lb, Path hook, Path config) {
        this.root = root;
        this.recordingDir = recordingDir;
        this.published = root.at(b3lb.publishedFolder());
        this.nonceTag = b3lb.nonceMetaTag();
        this.hook = hook;
        this.config = config;
    }

    /** @return why it is already a b3lb-node recording (marker with this nonce, or uploaded), or null */
    String alreadyDone(String mid, String nonce) throws IOException {
        RecordingFiles f = new RecordingFiles(recordingDir, mid);
        if (Files.isRegularFile(f.tar()) && marks(f.marker(), nonce)) {
            return "already waiting for upload as " + root.shown(f.tar());
        }
        if (Files.isRegularFile(f.tar()) && !Files.exists(f.marker()) && Evidence.uploadedAt(f, FileIdentity.of(f.tar())).isPresent()) {
            return "already uploaded by b3lb-node";
        }
        return null;
    }

    /** Why there is no published presentation to convert, or null. */
    String missingSource(String mid) {
        Path src = published.resolve(mid);
        if (!Files.isRegularFile(src.resolve(META_XML))) {
            return "no published presentation at " + root.shown(src) + " (no " + META_XML + "; B3LB's b3lb-push could not "
                    + "upload it either): publish it (bbb-record --rebuild " + mid + ") and run migrate again";
        }
        return null;
    }

    /** Converts; @return "by the hook" or "packed as the hook does", never null; throws with the reason */
    String convert(String mid, String nonce) throws IOException {
        Path staging = Files.createDirectories(recordingDir.resolve(STAGING));
        RecordingFiles staged = new RecordingFiles(staging, mid);
        clear(staged);
        String how;
        if (hook != null && runHook(mid) && Files.isRegularFile(staged.tar()) && Files.isRegularFile(staged.meta())) {
            how = "packed by " + root.shown(hook) + (marks(staged.marker(), nonce) ? ""
                    : "; the marker holds the queue's nonce (the hook found " + (Files.exists(staged.marker()) ? "another)" : "none)"));
        } else {
            clear(staged);
            pack(published.resolve(mid), staged);
            how = hook == null ? "packed as the hook does (no b3lb-node hook installed)"
                    : "packed as the hook does (the hook found no " + nonceTag + " nonce in events.xml or metadata.xml)";
        }
        RecordingFiles target = new RecordingFiles(recordingDir, mid);
        Files.move(staged.meta(), target.meta(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged.tar(), target.tar(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(staged.marker());
        WholeFile.write(target.marker(), target.marker().resolveSibling(RecordingLayout.tempName(mid, RecordingLayout.MARKER, "migrate")),
                (nonce + "\n").getBytes(StandardCharsets.US_ASCII), null, null);
        giveToOwnerOfDirectory(List.of(target.meta(), target.tar(), target.marker()));
        return how;
    }

    /** Removes the staging directory when this run left it empty. */
    void cleanUp() throws IOException {
        try {
            Files.deleteIfExists(recordingDir.resolve(STAGING));
        } catch (DirectoryNotEmptyException e) {
            // a conversion that failed left its files there
        }
    }

    private boolean runHook(String mid) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("ruby", hook.toString(), "-m", mid, "-f", "presentation").redirectErrorStream(true);
        pb.environment().put("B3LB_PROTOCOL", "b3lb");
        pb.environment().put("B3LB_PUBLISHED_DIR", published.toString());
        pb.environment().put("B3LB_RAW_DIR", root.at(DEFAULT_RAW).toString());
        pb.environment().put("B3LB_RECORDING_DIR", recordingDir.resolve(STAGING).toString());
        pb.environment().put("B3LB_CONFIG", config.toString());
        pb.environment().put("B3LB_RECORD_META_TAG", nonceTag);
        return SystemCommands.exec(pb, "", 1800).ok();
    }

    private static boolean marks(Path marker, String nonce) throws IOException {
        return Files.isRegularFile(marker) && Files.readString(marker, StandardCharsets.UTF_8).equals(nonce + "\n");
    }

    private static void clear(RecordingFiles f) throws IOException {
        for (Path p : List.of(f.tar(), f.meta(), f.marker())) {
            Files.deleteIfExists(p);
        }
    }

    /** A root run's files go to the recording directory's owner (bigbluebutton), whose service uploads and deletes them. */
    private void giveToOwnerOfDirectory(List<Path> files) throws IOException {
        if (!AtomicFiles.isRoot()) {
            return;
        }
        PosixFileAttributes dir = Files.readAttributes(recordingDir, PosixFileAttributes.class);
        for (Path f : files) {
            AtomicFiles.sameOwner(Files.getFileAttributeView(f, PosixFileAttributeView.class), dir);
        }
    }

    /**
     * The hook's packing under b3lb.protocol=b3lb: the published presentation's contents at the tar's root
     * ({@code tar -cf - -C <dir> .}, as B3LB's pusher sends them) and its metadata.xml, each written whole.
     */
    private static void pack(Path source, RecordingFiles into) throws IOException {
        Path tar = into.tar();
        long size;
        try (Stream<Path> s = Files.walk(source)) {
            size = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> p.toFile().length()).sum();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        long need = size + size / 10 + FREE_SPACE_MARGIN;
        long free = Files.getFileStore(tar.getParent()).getUsableSpace();
        if (free < need) {
            throw new IOException("not packed: " + free / 1048576 + " MiB free beside " + tar.getParent() + ", " + need / 1048576
                    + " MiB needed (size + 10 % + 64 MiB, the hook's rule); free space there and run migrate again");
        }
        Path tmp = tar.resolveSibling(RecordingLayout.tempName(into.id(), RecordingLayout.TAR, "migrate"));
        Files.deleteIfExists(tmp);
        try {
            SystemCommands.Result res = SystemCommands.exec(new ProcessBuilder("tar", "-cf", tmp.toString(), "-C", source.toString(), ".")
                    .redirectErrorStream(true), "", 1800);
            if (!res.ok()) {
                throw new IOException("tar of " + source + " failed: " + res.lastLine());
            }
            WholeFile.sync(tmp);
            WholeFile.write(into.meta(), into.meta().resolveSibling(RecordingLayout.tempName(into.id(), RecordingLayout.META, "migrate")),
                    Files.readAllBytes(source.resolve(META_XML)), null, null);
            Files.move(tmp, tar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
