package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 20's W1-W5 and issue 21's item 3: answers the route misread, against real servers. */
class WrongAnswersTest {

    static final Duration WAIT = Duration.ofSeconds(60);

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

    private RunningNode start(String endpoint, String... keys) throws Exception {
        RunningNode.Builder b = RunningNode.builder(dir).with("b3lb.upload.endpoint", endpoint);
        for (int i = 0; i < keys.length; i += 2) {
            b.with(keys[i], keys[i + 1]);
        }
        node = b.start();
        return node;
    }

    private void awaitUploaded(String id) {
        await().atMost(WAIT).until(() -> sink.accepted(id) && Files.notExists(new RecordingFiles(dir, id).marker()));
    }

    @Test
    void w1AHugeRetryAfterIsCappedAtMaxDelayWithoutOverflow() throws Exception {
        assertThat(FailureClassifier.retryAfter("99999999999999999", Instant.now())).isEqualTo(FailureClassifier.MAX_RETRY_AFTER);
        assertThat(FailureClassifier.retryAfter("99999999999999999999999", Instant.now())).isEqualTo(FailureClassifier.MAX_RETRY_AFTER);
        assertThat(new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10)).after(1, Duration.ofSeconds(Long.MAX_VALUE)))
                .isEqualTo(Duration.ofMinutes(10));

        sink.script("w1", Sink.Action.status(503, "Retry-After", "99999999999999999"));
        Recordings.ready(dir, "w1", 1000);
        start(sink.endpoint(), "b3lb.upload.initial-delay", "50ms", "b3lb.upload.max-delay", "2s");
        awaitUploaded("w1");
        assertThat(sink.requests("w1")).isEqualTo(2);
        assertThat(logs.lines("WARN", "w1: upload failed: HTTP 503")).singleElement().asString()
                .contains("in 2.0s (server's Retry-After").contains("capped at b3lb.upload.max-delay");
        assertThat(logs.lines()).noneMatch(l -> l.contains("ArithmeticException") || l.contains("Failed delivery"));
    }

    @Test
    void w2TheBackoffKeepsGrowingAcrossExchangesOfOneRecording() throws Exception {
        // in the route for 200 and 400 ms, then the server's Retry-After sends it to the poll tier (a new exchange
        // follows), whose first in-route wait must go on from there: 1.6 s, then max-delay
        sink.script("w2", Sink.Action.status(503), Sink.Action.status(503), Sink.Action.status(503, "Retry-After", "1"),
                Sink.Action.status(503), Sink.Action.status(503));
        Recordings.ready(dir, "w2", 1000);
        start(sink.endpoint(), "b3lb.upload.initial-delay", "200ms", "b3lb.upload.max-delay", "3s",
                "b3lb.upload.max-redeliveries", "10");
        awaitUploaded("w2");
        List<String> waits = logs.lines("WARN", "w2: upload failed: HTTP 503").stream()
                .map(l -> l.substring(l.indexOf(" in ") + 4).split(" ")[0]).toList();
        assertThat(waits).containsExactly("200ms", "400ms", "1.0s", "1.6s", "3.0s");
        List<Long> at = sink.arrivals("w2");
        assertThat(at).hasSize(6);
        // each request waited at least what the log said (a lower bound: a busy machine only makes gaps longer)
        assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(4) - at.get(3))).isGreaterThanOrEqualTo(1550);
        assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(5) - at.get(4))).isGreaterThanOrEqualTo(2950);
    }

    @Test
    void w3A417ToExpectContinueIsRepeatedAtOnceWithoutIt() throws Exception {
        sink.refuseExpect(true);
        Path tar = Recordings.ready(dir, "w3", 3 << 20); // above 1 MiB: sent with Expect: 100-continue
        start(sink.endpoint(), "b3lb.upload.max-delay", "10m");
        awaitUploaded("w3");
        assertThat(sink.refusedExpect.get()).isEqualTo(1);
        assertThat(sink.received("w3")).singleElement().satisfies(r -> assertThat(r.sha256()).isEqualTo(Recordings.sha256(tar)));
        assertThat(logs.lines("ERROR", "w3")).isEmpty();
    }

    @Test
    void w4AnUntrustedCertificateIsPermanentAndHealthGoesDown() throws Exception {
        HttpsServer tls = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        tls.setHttpsConfigurator(new HttpsConfigurator(selfSigned()));
        tls.createContext("/", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        tls.start();
        try {
            Recordings.ready(dir, "w4", 1000);
            start("https://localhost:" + tls.getAddress().getPort() + "/b3lb/b/recording/upload", "b3lb.upload.max-delay", "10m");
            await().atMost(WAIT).until(() -> !logs.lines("ERROR", "w4: upload refused").isEmpty());
            assertThat(logs.lines("ERROR", "w4: upload refused")).singleElement().asString()
                    .contains("TLS certificate of localhost is not trusted").contains("trust store").contains("b3lb.upload.endpoint");
            assertThat(logs.lines("WARN", "w4: upload failed")).isEmpty();
            String health = node.management("/observe/health").body();
            assertThat(health).contains("DOWN").contains("not trusted");
            assertThat(new RecordingFiles(dir, "w4").marker()).exists();
        } finally {
            tls.stop(0);
        }
    }

    @Test
    void w5ATwoHundredBeforeTheBodyReportsTheBytesReallySent() throws Exception {
        sink.answerBeforeBody(200);
        Recordings.ready(dir, "w5", 5 << 20);
        start(sink.endpoint());
        await().atMost(WAIT).until(() -> Files.notExists(new RecordingFiles(dir, "w5").marker()));
        assertThat(logs.lines("INFO", "uploaded w5: 0 B in ")).hasSize(1);
        assertThat(node.management("/observe/metrics").body()).containsPattern("(?m)^b3lb_upload_bytes_total 0\\.0$");
    }

    @Test
    void issue21AStopOfAnAttemptThatNeverStartedDoesNotThrow() {
        UploadConfig config = UploadConfig.from(org.b3lb.node.config.Settings.load(null, java.util.Map.of(), java.util.Map.of(
                "b3lb.recording-dir", dir.toString(), "b3lb.upload.endpoint", "http://127.0.0.1:1/upload", "b3lb.upload.secret", "s")));
        RecordingSchedule schedule = new RecordingSchedule(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2)),
                Duration.ofSeconds(1), System::currentTimeMillis);
        Attempt attempt = new Attempt(config, new UploadMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
                schedule, (id, outcome) -> { });
        attempt.doStop();
        attempt.prepareShutdown(false, false);
    }

    /** A PKCS12 key store made by the JDK's keytool: a key pair for CN=localhost, signed by itself. */
    private SSLContext selfSigned() throws Exception {
        Path store = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
