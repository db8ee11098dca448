package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code push --once} against {@link B3lbReceiver} with endpoints and protocols that do not match:
 * what the admin reads must point at the fix, and nothing is lost on the way.
 */
class B3lbEndpointTest {

    static LogCapture logs;
    @TempDir
    Path dir;
    B3lbReceiver b3lb;

    @BeforeAll
    static void capture() {
        logs = LogCapture.everything();
    }

    @BeforeEach
    void receiver() throws Exception {
        b3lb = new B3lbReceiver();
    }

    @AfterEach
    void close() {
        b3lb.close();
    }

    private UploadConfig config(String protocol, String endpoint, String... more) {
        Map<String, String> keys = new HashMap<>(Map.of(
                "b3lb.protocol", protocol,
                "b3lb.recording-dir", dir.toString(),
                "b3lb.upload.endpoint", endpoint,
                "b3lb.upload.initial-delay", "10ms",
                "b3lb.upload.max-delay", "50ms",
                "b3lb.upload.max-redeliveries", "2"));
        for (int i = 0; i < more.length; i += 2) {
            keys.put(more[i], more[i + 1]);
        }
        return UploadConfig.from(Settings.load(null, Map.of(), keys));
    }

    private int push(UploadConfig config, ByteArrayOutputStream out) throws Exception {
        return PushOnce.run(config, new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void theSpecProtocolAtB3lbsPathsIsToldToSwitchProtocol() throws Exception {
        Recordings.ready(dir, "s-old-path", 1000);
        assertThat(push(config("spec", b3lb.base() + "/b3lb/b/recording/upload", "b3lb.upload.secret", "s3cr3t-spec"),
                new ByteArrayOutputStream())).isEqualTo(1);
        assertThat(logs.lines("ERROR", "s-old-path: upload refused: HTTP 403: if this is a stock B3LB 3.x")).singleElement()
                .asString().contains("set b3lb.protocol=b3lb and b3lb.upload.endpoint=https://<b3lb-host>/b3lb/b/record/upload")
                .contains("otherwise: B3LB refused the node secret");

        Recordings.ready(dir, "s-new-path", 1000);
        push(config("spec", b3lb.endpoint(), "b3lb.upload.secret", "s3cr3t-spec"), new ByteArrayOutputStream());
        assertThat(logs.lines("ERROR", "s-new-path: upload refused: HTTP 400: if this is a stock B3LB 3.x")).hasSize(1);
        assertThat(dir.resolve("s-old-path.ready")).exists();
        assertThat(dir.resolve("s-new-path.ready")).exists();
    }

    @Test
    void aSpecServerThatExplainsIts403GetsNoB3lbHint() throws Exception {
        // B3LB 3.x's 403 has no body; the spec server's refusal of a wrong secret here says something
        try (Sink sink = new Sink()) {
            sink.script("s-secret", Sink.Action.status(403));
            Recordings.ready(dir, "s-secret", 1000);
            push(config("spec", sink.endpoint(), "b3lb.upload.secret", "wrong-s3cret"), new ByteArrayOutputStream());
        }
        assertThat(logs.lines("ERROR", "s-secret: upload refused: HTTP 403: B3LB refused the node secret")).hasSize(1);
        assertThat(logs.lines("ERROR", "s-secret: ")).noneMatch(l -> l.contains("b3lb.protocol"));
    }

    @Test
    void theB3lbProtocolAtAnotherBackendPathKeepsTheMarker() throws Exception {
        String nonce = B3lbRecordings.nonce();
        b3lb.knows(nonce);
        B3lbRecordings.ready(dir, "w-403", nonce, 1000);
        assertThat(push(config("b3lb", b3lb.base() + "/b3lb/b/recording/upload"), new ByteArrayOutputStream())).isEqualTo(1);
        assertThat(logs.lines("ERROR", "w-403: upload refused: HTTP 403: B3LB answers 403 to every backend path but record/upload"))
                .singleElement().asString().contains("check b3lb.upload.endpoint");
        assertThat(dir.resolve("w-403.ready")).exists();
        assertThat(b3lb.stored()).isEmpty();
    }

    @Test
    void aPathB3lbDoesNotRouteIsNotAnUnknownRecordSet() throws Exception {
        // Django's own 404 page, not the upload view's empty 404: the endpoint is wrong, the recording is fine
        String nonce = B3lbRecordings.nonce();
        b3lb.knows(nonce);
        B3lbRecordings.ready(dir, "w-404", nonce, 1000);
        assertThat(push(config("b3lb", b3lb.base() + "/b3lb/record/upload"), new ByteArrayOutputStream())).isEqualTo(1);
        assertThat(logs.lines("ERROR", "w-404: upload refused: HTTP 404 (server said: <!doctype html>): no B3LB upload view there"))
                .hasSize(1);
        assertThat(dir.resolve("w-404.ready")).exists();
    }

    @Test
    void pushOnceCountsAbandonedRecordingsApartAndTheEndpointsOwnQueryStays() throws Exception {
        String known = B3lbRecordings.nonce();
        b3lb.knows(known);
        B3lbRecordings.ready(dir, "p-ok", known, 2000);
        B3lbRecordings.ready(dir, "p-gone", B3lbRecordings.nonce(), 2000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // a secret configured under b3lb is sent (for a proxy that checks it); B3LB ignores it
        int code = push(config("b3lb", b3lb.endpoint() + "?tenant=a%20b", "b3lb.upload.secret", "proxy-s3cret"), out);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("uploaded 1, failed 0, missing tar 0, abandoned 1\n");
        assertThat(code).isZero();
        assertThat(b3lb.uploads(known)).singleElement().satisfies(u -> {
            assertThat(u.status()).isEqualTo(204);
            assertThat(u.rawQuery()).startsWith("tenant=a%20b&nonce=");
            assertThat(u.secretHeader()).isEqualTo("proxy-s3cret");
        });
        assertThat(dir.resolve("p-gone.ready")).doesNotExist();
        assertThat(dir.resolve("p-gone.tar")).exists();
    }

    @Test
    void underB3lbTheSecretIsOptionalAndThePackagedEmptyFileMeansNone() throws Exception {
        assertThat(config("b3lb", b3lb.endpoint()).secret()).isEmpty();
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path cfg = Files.writeString(etc.resolve("application.properties"), "b3lb.protocol=b3lb\n");
        Files.writeString(etc.resolve("secret"), ""); // what postinst creates
        assertThat(UploadConfig.from(Settings.load(cfg, Map.of(), Map.of())).secret()).isEmpty();
        Files.writeString(etc.resolve("secret"), "from-the-file\n");
        assertThat(UploadConfig.from(Settings.load(cfg, Map.of(), Map.of())).secret()).isEqualTo("from-the-file");
        // the spec protocol still needs one
        Files.writeString(cfg, "b3lb.protocol=spec\n");
        Files.writeString(etc.resolve("secret"), "");
        assertThatThrownBy(() -> UploadConfig.from(Settings.load(cfg, Map.of(), Map.of()))).isInstanceOf(ConfigException.class);
    }
}
