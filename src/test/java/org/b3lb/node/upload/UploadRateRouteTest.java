package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.b3lb.node.config.Settings;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code b3lb.upload.max-rate} against real receivers. Only lower bounds on time: nothing can send
 * faster than the cap, however busy the machine; how close to it uploads get is bench/upload-rate.sh's.
 */
class UploadRateRouteTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final long MIB = 1 << 20;

    @TempDir
    static Path tmp;
    static Path dir;
    static Sink sink;
    static RunningNode node;

    @BeforeAll
    static void start() throws Exception {
        sink = new Sink();
        dir = Files.createDirectories(tmp.resolve("archived"));
        node = RunningNode.builder(dir)
                .with("b3lb.upload.endpoint", sink.endpoint())
                .with("b3lb.upload.max-rate", "4M")
                .with("b3lb.upload.concurrency", "2")
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
        sink.close();
    }

    /** Seconds from the first byte of the recording's part at the receiver to its 2xx seen by the test. */
    private static double secondsAtTheReceiver(String id) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> sink.accepted(id));
        long done = System.nanoTime();
        return (done - sink.arrivals(id).get(0)) / 1e9;
    }

    @Test
    void aTarArrivesIntactAndNoFasterThanTheCap() throws Exception {
        Path tar = Recordings.ready(dir, "capped-20m", (int) (20 * MIB));
        double took = secondsAtTheReceiver("capped-20m");

        Sink.Received r = sink.received("capped-20m").get(0);
        assertThat(r.size()).isEqualTo(20 * MIB);
        assertThat(r.sha256()).isEqualTo(Recordings.sha256(tar));
        // 20 MiB at 4 MiB/s is 5 s; uncapped, loopback takes a few hundredths of that
        assertThat(took).isGreaterThanOrEqualTo(4.5);
        await().atMost(WAIT).until(() -> !Files.exists(dir.resolve("capped-20m.ready")));
        assertThat(node.management("/observe/metrics").body()).containsPattern("(?m)^b3lb_upload_max_rate_bytes 4194304(\\.0)?$");
    }

    @Test
    void twoConcurrentUploadsShareOneCap() throws Exception {
        Path a = Recordings.tar(dir, "share-a", (int) (8 * MIB));
        Path b = Recordings.tar(dir, "share-b", (int) (8 * MIB));
        Recordings.marker(dir, "share-a");
        Recordings.marker(dir, "share-b");
        await().atMost(WAIT).until(() -> !sink.arrivals("share-a").isEmpty() && !sink.arrivals("share-b").isEmpty());
        long first = Math.min(sink.arrivals("share-a").get(0), sink.arrivals("share-b").get(0));
        long second = Math.max(sink.arrivals("share-a").get(0), sink.arrivals("share-b").get(0));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> sink.accepted("share-a") && sink.accepted("share-b"));
        double took = (System.nanoTime() - first) / 1e9;

        // both were on the wire together: one started long before the other could have finished alone (2 s)
        assertThat((second - first) / 1e9).isLessThan(1.0);
        // each with a cap of its own they would be done in 2 s; sharing one, 16 MiB take 4 s
        assertThat(took).isGreaterThanOrEqualTo(0.9 * 16 / 4);
        assertThat(sink.received("share-a").get(0).sha256()).isEqualTo(Recordings.sha256(a));
        assertThat(sink.received("share-b").get(0).sha256()).isEqualTo(Recordings.sha256(b));
    }

    /** An admin's explicit run skips pause and hours, not the cap; here under b3lb.protocol=b3lb, whose body has two files. */
    @Test
    void pushOnceObeysTheCap() throws Exception {
        Path once = Files.createDirectories(tmp.resolve("once"));
        try (B3lbReceiver b3lb = new B3lbReceiver()) {
            String nonce = B3lbRecordings.nonce();
            b3lb.knows(nonce);
            Path tar = B3lbRecordings.ready(once, "once-3m", nonce, (int) (3 * MIB));
            UploadConfig config = UploadConfig.from(Settings.load(null, Map.of(), Map.of(
                    "b3lb.protocol", "b3lb",
                    "b3lb.recording-dir", once.toString(),
                    "b3lb.upload.endpoint", b3lb.endpoint(),
                    "b3lb.upload.secret", "",
                    "b3lb.upload.poll-delay", "100ms",
                    "b3lb.upload.max-rate", "1M")));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long start = System.nanoTime();

            int code = PushOnce.run(config, new PrintStream(out, true, StandardCharsets.UTF_8));

            double took = (System.nanoTime() - start) / 1e9;
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("uploaded 1, failed 0");
            assertThat(code).isZero();
            assertThat(b3lb.uploads(nonce)).singleElement().satisfies(u -> {
                assertThat(u.status()).isEqualTo(204);
                assertThat(u.fileSha256()).isEqualTo(Recordings.sha256(tar));
            });
            // 3 MiB at 1 MiB/s: 3 s; uncapped, the whole run (Camel's start included) takes well under a second
            assertThat(took).isGreaterThanOrEqualTo(2.7);
        }
    }
}
