package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a separate JVM, the way systemd runs it: killed with SIGKILL in the middle of an
 * upload it loses nothing, and a tar far larger than its heap goes through under -Xmx64m.
 */
class CrashAndHeapTest {

    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;
    Path dir;
    Sink sink;
    Process fork;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createDirectories(tmp.resolve("archived"));
        sink = new Sink();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (fork != null) {
            fork.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        sink.close();
    }

    private int loadPort;

    private Process startFork(String maxHeap) throws Exception {
        return startFork(maxHeap, sink.endpoint());
    }

    private Process startFork(String maxHeap, String endpoint) throws Exception {
        return startFork(maxHeap, endpoint, false);
    }

    /** @param cLocale run as a systemd service without LANG does: file names are decoded as ASCII */
    private Process startFork(String maxHeap, String endpoint, boolean cLocale) throws Exception {
        loadPort = AvailablePortFinder.getNextAvailable();
        Path cfg = Files.writeString(tmp.resolve("application.properties"), String.join("\n",
                "b3lb.recording-dir=" + dir,
                "b3lb.routes-dir=" + RunningNode.REPO_ROUTES,
                "b3lb.load.port=" + loadPort,
                "b3lb.management.port=" + AvailablePortFinder.getNextAvailable(),
                "b3lb.upload.endpoint=" + endpoint,
                "b3lb.upload.secret=fork-secret",
                "b3lb.upload.poll-delay=100ms",
                "b3lb.upload.initial-delay=100ms",
                "b3lb.upload.max-delay=1s",
                "") + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"),
                "org.b3lb.node.app.App", "run", "--config", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("fork.log").toFile());
        if (cLocale) {
            pb.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
            pb.environment().put("LANG", "C");
            pb.environment().put("LC_ALL", "C");
        }
        return pb.start();
    }

    private String forkLog() throws Exception {
        return Files.readString(tmp.resolve("fork.log"), StandardCharsets.UTF_8);
    }

    @Test
    void killedMidUploadLosesNothingAndTheNextStartSendsEverything() throws Exception {
        sink.script("crash-1", Sink.Action.HANG);
        sink.otherwise(Sink.Action.status(503));
        Path tar = Recordings.ready(dir, "crash-1", 3_000_000);
        for (String id : List.of("crash-2", "crash-3")) {
            Recordings.ready(dir, id, 10_000);
        }
        fork = startFork("128m");
        // the whole body has arrived and the service waits for an answer: kill -9 now
        await().atMost(WAIT).until(() -> !sink.received("crash-1").isEmpty() && sink.requests("crash-2") > 0);
        fork.destroyForcibly();
        assertThat(fork.waitFor(30, TimeUnit.SECONDS)).isTrue();
        fork = null;
        assertThat(dir.resolve("crash-1.ready")).exists();
        assertThat(dir.resolve("crash-2.ready")).exists();
        assertThat(dir.resolve("crash-3.ready")).exists();
        assertThat(tar).exists();
        // restart with markers pending, server healthy again
        sink.otherwise(Sink.Action.status(200));
        Recordings.ready(dir, "crash-4", 10_000);
        try (RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint()).start()) {
            for (String id : List.of("crash-1", "crash-2", "crash-3", "crash-4")) {
                await().atMost(WAIT).until(() -> sink.accepted(id) && !Files.exists(dir.resolve(id + ".ready")));
            }
        }
        assertThat(sink.received("crash-1").get(1).sha256()).isEqualTo(Recordings.sha256(tar));
    }

    @Test
    void aTarEightTimesTheHeapIsStreamedNotBuffered() throws Exception {
        long size = 512L << 20;
        Path tar = dir.resolve("heap-1.tar");
        try (RandomAccessFile f = new RandomAccessFile(tar.toFile(), "rw")) {
            f.setLength(size); // sparse: costs no disk
        }
        Files.setLastModifiedTime(tar, Recordings.OLD);
        Recordings.marker(dir, "heap-1");
        fork = startFork("64m");
        await().atMost(WAIT).until(() -> sink.accepted("heap-1") && !Files.exists(dir.resolve("heap-1.ready")));
        assertThat(sink.received("heap-1").get(0).size()).isEqualTo(size);
        assertThat(sink.received("heap-1").get(0).sha256()).isEqualTo(zerosSha256(size));
        await().atMost(WAIT).until(() -> forkLog().contains("uploaded heap-1: 512.0 MiB in "));
        assertThat(forkLog()).doesNotContain("OutOfMemoryError");
    }

    /**
     * Issue 10 D1: 20,000 pending recordings and B3LB unreachable. Each failing exchange used to
     * be held while it waited out its backoff, and the service died of OutOfMemoryError in 25 s
     * under -Xmx64m (and systemd restarted it into the same crash). Now a waiting recording is a
     * few bytes in the schedule, and the route holds a bounded number of exchanges.
     */
    @Test
    void twentyThousandPendingRecordingsWithNoReceiverKeepTheServiceUp() throws Exception {
        byte[] kib = new byte[1024];
        for (int i = 0; i < 20_000; i++) {
            String id = String.format("backlog-%05d", i);
            Path tar = Files.write(dir.resolve(id + ".tar"), kib);
            Files.setLastModifiedTime(tar, Recordings.OLD);
            Files.write(dir.resolve(id + ".ready"), new byte[0]);
        }
        String nobody = "http://127.0.0.1:" + AvailablePortFinder.getNextAvailable() + "/b3lb/b/recording/upload";
        fork = startFork("64m", nobody);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest load = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + loadPort + "/"))
                .timeout(Duration.ofSeconds(10)).build();
        await().atMost(WAIT).until(() -> forkLog().contains("upload failed"));
        // ~30 s of connection refusals across the whole backlog: the JVM stays, the load endpoint answers
        await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(60)).until(() -> fork.isAlive()
                && http.send(load, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        assertThat(forkLog()).doesNotContain("OutOfMemoryError");
        assertThat(dir.resolve("backlog-00000.ready")).exists();
        assertThat(dir.resolve("backlog-19999.ready")).exists();
    }

    /**
     * Issue 10 D2: under a C locale one marker named {@code ünï.ready} made every poll fail
     * (InvalidPathException), so nothing at all was uploaded. Now it is one WARN and skipped.
     */
    @Test
    void aMarkerNameTheJvmCannotMapUnderACLocaleIsSkippedNotBlockingOthers() throws Exception {
        Recordings.ready(dir, "plain-1", 2000);
        // the name's bytes are UTF-8, whatever this JVM's own encoding is
        Process touch = new ProcessBuilder("sh", "-c", "printf x > \"$1/$(printf '\\303\\274n\\303\\257.tar')\"; "
                + ": > \"$1/$(printf '\\303\\274n\\303\\257.ready')\"", "sh", dir.toString()).start();
        assertThat(touch.waitFor()).isZero();
        fork = startFork("128m", sink.endpoint(), true);
        await().atMost(WAIT).until(() -> sink.accepted("plain-1") && !Files.exists(dir.resolve("plain-1.ready")));
        Recordings.ready(dir, "plain-2", 2000);
        await().atMost(WAIT).until(() -> sink.accepted("plain-2") && !Files.exists(dir.resolve("plain-2.ready")));
        await().atMost(WAIT).until(() -> forkLog().contains("is not uploaded: its id breaks the hook's rule"));
        assertThat(forkLog()).doesNotContain("InvalidPathException").doesNotContain("Malformed input");
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".ready")).count()).isEqualTo(1);
        }
    }

    private static String zerosSha256(long size) {
        MessageDigest sha = Sink.sha256();
        byte[] zeros = new byte[1 << 20];
        for (long left = size; left > 0; left -= zeros.length) {
            sha.update(zeros, 0, (int) Math.min(zeros.length, left));
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
