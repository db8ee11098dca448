package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's loss paths of the upload route, each against a real receiver that stops reading
 * after 64 KiB while the test changes the recording the way a rebuild, a {@code cp} or an
 * appending writer would: what B3LB accepted is always one whole version, and the version on disk
 * is always sent in the end.
 */
class NoLossUploadTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final int SIZE = 16 << 20; // more than loopback's socket buffers: the client is mid-body when the receiver stops

    @TempDir
    Path dir;
    Sink sink;
    RunningNode node;
    LogCapture logs;

    @BeforeEach
    void setUp() throws Exception {
        logs = LogCapture.everything();
        sink = new Sink();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            node.close();
        }
        sink.close();
    }

    private void start(String... keys) throws Exception {
        RunningNode.Builder b = RunningNode.builder(dir)
                .with("b3lb.upload.endpoint", sink.endpoint())
                .with("b3lb.upload.initial-delay", "50ms")
                .with("b3lb.upload.max-delay", "2s")
                .with("b3lb.upload.idle-timeout", "20s");
        for (int i = 0; i < keys.length; i += 2) {
            b.with(keys[i], keys[i + 1]);
        }
        node = b.start();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** What the hook does for a rebuild: each file written under a temp name, renamed into place, the marker last. */
    static void rebuild(RecordingFiles f, byte[] tar) throws Exception {
        Path tmp = f.dir().resolve(RecordingLayout.tempName(f.id(), RecordingLayout.TAR, "4242"));
        Files.write(tmp, tar);
        Files.move(tmp, f.tar(), StandardCopyOption.ATOMIC_MOVE);
        Path marker = f.dir().resolve(RecordingLayout.tempName(f.id(), RecordingLayout.MARKER, "4242"));
        Files.write(marker, new byte[0]);
        Files.move(marker, f.marker(), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The version on disk was received whole with a 2xx, the evidence names it, and no other 2xx body was accepted as it. */
    private void awaitSentWhole(RecordingFiles f) throws Exception {
        await().atMost(WAIT).until(() -> Files.notExists(f.marker()));
        String sha = Recordings.sha256(f.tar());
        assertThat(sink.received(f.id())).filteredOn(r -> r.answered() == 200).last()
                .satisfies(r -> assertThat(r.sha256()).isEqualTo(sha));
        assertThat(Evidence.uploadedAt(f, FileIdentity.of(f.tar()))).isPresent();
    }

    @Test
    void aRebuildDuringTheSendKeepsItsMarkerAndTheNewVersionIsSentByteExact() throws Exception {
        RecordingFiles f = new RecordingFiles(dir, "rebuilt");
        Recordings.ready(dir, f.id(), SIZE);
        String first = Recordings.sha256(f.tar());
        FileIdentity firstTar = FileIdentity.of(f.tar());
        sink.script(f.id(), Sink.Action.pause(200));
        start();
        sink.awaitPaused();
        rebuild(f, random(SIZE + 4096, 7));
        sink.release();

        await().atMost(WAIT).until(() -> sink.received(f.id()).size() >= 2);
        awaitSentWhole(f);
        // the 2xx for the first version did not take the rebuild's marker; B3LB got each version whole
        assertThat(sink.received(f.id()).get(0).sha256()).isEqualTo(first);
        assertThat(sink.received(f.id()).get(1).size()).isEqualTo(SIZE + 4096);
        assertThat(Evidence.uploadedAt(f, firstTar)).isEmpty();
        assertThat(logs.lines("INFO", "newer version is sent next")).hasSize(1);
    }

    @Test
    void aTarAppendedToDuringTheSendIsNotUploadedAsAPrefix() throws Exception {
        RecordingFiles f = new RecordingFiles(dir, "appended");
        Recordings.ready(dir, f.id(), SIZE);
        sink.script(f.id(), Sink.Action.pause(200));
        start();
        sink.awaitPaused();
        Files.write(f.tar(), random(1 << 20, 8), StandardOpenOption.APPEND);
        sink.release();

        awaitSentWhole(f);
        assertThat(sink.received(f.id())).allSatisfy(r -> assertThat(r.size()).isEqualTo(SIZE + (1 << 20)));
        assertThat(logs.lines("WARN", "appended: upload failed: appended.tar grew")).hasSize(1);
        assertThat(logs.lines("INFO", "uploaded appended: 17.0 MiB")).hasSize(1);
    }

    @Test
    void aTarRewrittenInPlaceDuringTheSendIsSentAgainWhole() throws Exception {
        RecordingFiles f = new RecordingFiles(dir, "copied");
        Recordings.ready(dir, f.id(), SIZE);
        String old = Recordings.sha256(f.tar());
        sink.script(f.id(), Sink.Action.pause(200));
        start();
        sink.awaitPaused();
        // cp over an existing file: the same inode, truncated and written anew
        java.nio.ByteBuffer copy = java.nio.ByteBuffer.wrap(random(SIZE, 9));
        try (FileChannel ch = FileChannel.open(f.tar(), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (copy.hasRemaining()) {
                ch.write(copy);
            }
        }
        sink.release();

        awaitSentWhole(f);
        assertThat(sink.received(f.id())).noneMatch(r -> r.sha256().equals(old));
        // seen at the end of the body (mtime), or by a read that came up short while cp was writing
        assertThat(logs.lines("WARN", "copied: upload failed: copied.tar ")).hasSize(1).allMatch(l -> l.contains("changed while being sent")
                || l.contains("shrank"));
    }

    @Test
    void anInRouteRetryWaitsUntilTheTarStopsChanging() throws Exception {
        RecordingFiles f = new RecordingFiles(dir, "growing");
        Recordings.ready(dir, f.id(), 1 << 20);
        sink.script(f.id(), Sink.Action.pause(0)); // the first attempt breaks off: a redelivery follows in 50 ms
        start();
        sink.awaitPaused();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            byte[] chunk = random(64 << 10, 10);
            for (int i = 0; i < 75; i++) { // ~1.5 s of a writer that has not finished
                try {
                    Files.write(f.tar(), chunk, StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        });
        sink.release();
        writer.get(30, TimeUnit.SECONDS);

        awaitSentWhole(f);
        assertThat(sink.received(f.id())).allSatisfy(r -> assertThat(r.size()).isEqualTo((1 << 20) + 75 * (64 << 10)));
        assertThat(logs.lines("WARN", "growing: upload failed: growing.tar is still changing")).isNotEmpty();
    }

    private static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        assertThat(mk.waitFor(30, TimeUnit.SECONDS) && mk.exitValue() == 0).as("mkfifo " + p).isTrue();
    }

    @Test
    void aFifoWhereTheMarkerShouldBeIsRefusedWithoutHoldingTheOnlyWorker() throws Exception {
        RecordingFiles fifo = new RecordingFiles(dir, "fifo-marker");
        B3lbRecordings.meta(dir, fifo.id(), B3lbRecordings.metadata(fifo.id(), "n0nce", false));
        Recordings.tar(dir, fifo.id(), 1000);
        mkfifo(fifo.marker());
        start("b3lb.protocol", "b3lb", "b3lb.upload.secret", "", "b3lb.upload.concurrency", "1", "b3lb.upload.max-delay", "10m");
        // the listing turns it away before any exchange exists (MarkerAudit.list); the attempt's own lstat
        // (SentFiles) refuses one that became a FIFO after the listing: either way one line, never an open
        await().atMost(WAIT).until(() -> !logs.lines("WARN", "\"fifo-marker.ready\"").isEmpty()
                || !logs.lines("ERROR", "fifo-marker: upload refused").isEmpty());
        assertThat(logs.lines("WARN", "\"fifo-marker.ready\"").size() + logs.lines("ERROR", "fifo-marker: upload refused").size())
                .isEqualTo(1);
        // the one worker is free: the next recording goes through
        B3lbRecordings.ready(dir, "after-fifo", B3lbRecordings.nonce(), 1000);
        await().atMost(WAIT).until(() -> sink.accepted("after-fifo"));
    }

    @Test
    void aMetaFileSwappedForAFifoMidUploadNeitherBlocksTheSendNorTheStop() throws Exception {
        RecordingFiles f = new RecordingFiles(dir, "fifo-meta");
        B3lbRecordings.ready(dir, f.id(), B3lbRecordings.nonce(), SIZE);
        sink.script(f.id(), Sink.Action.pause(200));
        start("b3lb.protocol", "b3lb", "b3lb.upload.secret", "", "b3lb.upload.max-delay", "10m");
        sink.awaitPaused();
        Files.delete(f.meta());
        mkfifo(f.meta());
        sink.release();
        // the send went on from the files opened at its start; the next attempt refuses the FIFO before opening it
        await().atMost(WAIT).until(() -> !logs.lines("ERROR", "fifo-meta: upload refused").isEmpty());
        assertThat(logs.lines("ERROR", "fifo-meta: upload refused")).singleElement().asString()
                .contains(f.meta() + " is a FIFO (named pipe), not a regular file");
        assertThat(sink.received(f.id())).singleElement().satisfies(r -> assertThat(r.answered()).isEqualTo(200));
        assertThat(f.marker()).exists();
        RunningNode n = node;
        node = null;
        // well inside the unit's TimeoutStopSec=30s
        CompletableFuture.runAsync(n::close).get(20, TimeUnit.SECONDS);
    }

    private static int chattr(String flag, Path file) throws Exception {
        Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @Test
    void evidenceThatCannotBeWrittenKeepsTheMarkerAndTheRecordingIsSentAgain() throws Exception {
        RecordingFiles f = new RecordingFiles(dir, "no-evidence");
        Recordings.ready(dir, f.id(), 2000);
        // an older evidence nobody may replace: immutable, which not even root may rename over
        Files.writeString(f.evidence(), "stale\n");
        org.junit.jupiter.api.Assumptions.assumeTrue(chattr("+i", f.evidence()) == 0,
                "chattr +i is unavailable here (no e2fsprogs, no CAP_LINUX_IMMUTABLE or an unsupporting filesystem)");
        try {
            start("b3lb.upload.max-delay", "3s");
            await().atMost(WAIT).until(() -> !logs.lines("ERROR", "no-evidence: uploaded, but cannot write").isEmpty());
            assertThat(logs.lines("ERROR", "no-evidence: uploaded, but cannot write")).singleElement().asString()
                    .contains("the marker stays").contains("ReadWritePaths=");
            assertThat(f.marker()).exists();
            assertThat(sink.requests(f.id())).isEqualTo(1);
        } finally {
            chattr("-i", f.evidence());
        }
        awaitSentWhole(f);
        assertThat(sink.requests(f.id())).isEqualTo(2);
    }

    /**
     * Every file an attempt opens is closed when its exchange ends, whatever the end: a 2xx, a 2xx
     * after in-route retries, a send cut mid-body, a refusal. A leak is one descriptor per attempt,
     * so a node retrying a backlog for days would run out of them; the test JVM's own are read
     * from /proc/self/fd.
     */
    @Test
    void noAttemptLeavesAFileOfTheRecordingDirectoryOpen() throws Exception {
        for (String id : List.of("ok", "retried", "cut", "refused")) {
            B3lbRecordings.ready(dir, id, B3lbRecordings.nonce(), 256 << 10);
        }
        sink.script("retried", Sink.Action.status(503), Sink.Action.status(502), Sink.Action.status(200));
        sink.script("cut", Sink.Action.CLOSE_MID_BODY, Sink.Action.status(200));
        sink.script("refused", Sink.Action.status(403));
        start("b3lb.protocol", "b3lb", "b3lb.upload.secret", "", "b3lb.upload.max-delay", "10m");

        await().atMost(WAIT).until(() -> List.of("ok", "retried", "cut").stream()
                .allMatch(id -> Files.exists(new RecordingFiles(dir, id).evidence()))
                && !logs.lines("ERROR", "refused: upload refused: HTTP 403").isEmpty());
        assertThat(sink.received("retried")).hasSize(3);
        // a 403 waits max-delay (10m) only while nothing else gets through; here the others did
        assertThat(logs.lines("ERROR", "refused: upload refused: HTTP 403")).singleElement().asString()
                .contains("next try in 10m, or as soon as another upload gets through or the secret changes");
        await().atMost(WAIT).until(() -> Files.exists(new RecordingFiles(dir, "refused").evidence()));

        // the files close as each exchange completes, a moment after the evidence and the log line
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openIn(dir)).as("files left open").isEmpty());
    }

    /** The files under {@code dir} this JVM holds open. */
    private static List<Path> openIn(Path dir) throws java.io.IOException {
        Path real = dir.toRealPath();
        List<Path> open = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(real) && !target.equals(real)) { // a poll lists the directory itself
                        open.add(target);
                    }
                } catch (java.io.IOException e) {
                    // closed while listed
                }
            }
        }
        return open;
    }
}
