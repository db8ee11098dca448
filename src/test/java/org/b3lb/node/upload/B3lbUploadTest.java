package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.hc.core5.net.PercentCodec;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The started service under {@code b3lb.protocol=b3lb} against {@link B3lbReceiver}, which checks
 * what B3LB 3.3.2's upload view checks: every answer that view gives, and what stays on disk.
 */
class B3lbUploadTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path tmp;
    static Path dir;
    static B3lbReceiver b3lb;
    static RunningNode node;
    static LogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.everything();
        b3lb = new B3lbReceiver();
        dir = Files.createDirectories(tmp.resolve("archived"));
        node = RunningNode.builder(dir)
                .with("b3lb.protocol", "b3lb")
                .with("b3lb.upload.endpoint", b3lb.endpoint())
                .with("b3lb.upload.secret", "") // a stock B3LB 3.x node has none
                .with("b3lb.upload.initial-delay", "50ms")
                // a permanent failure waits this long: no second request while a test looks
                .with("b3lb.upload.max-delay", "10m")
                .with("b3lb.upload.idle-timeout", "2s")
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
        b3lb.close();
    }

    private static void awaitMarkerGone(String id) {
        await().atMost(WAIT).until(() -> !Files.exists(dir.resolve(id + ".ready")));
    }

    private static void awaitLog(String level, String text) {
        await().atMost(WAIT).until(() -> !logs.lines(level, text).isEmpty());
    }

    @Test
    void aRecordingAsTheHookLeavesItIsStoredByteExactWithItsNonceAndNoSecret() throws Exception {
        String nonce = B3lbRecordings.nonce();
        b3lb.knows(nonce);
        Path tar = B3lbRecordings.ready(dir, "b-ok", nonce, 300_000);
        awaitMarkerGone("b-ok");

        assertThat(b3lb.uploads(nonce)).singleElement().satisfies(u -> {
            assertThat(u.status()).isEqualTo(204);
            assertThat(u.path()).isEqualTo("/b3lb/b/record/upload");
            // every character of the pool outside RFC 3986's unreserved set travels percent-encoded
            assertThat(u.rawQuery()).startsWith("nonce=%21%40%2A%28-_%29").doesNotContain("!", "@", "*", "(", ")");
            assertThat(u.nonce()).isEqualTo(nonce);
            assertThat(u.fileName()).isEqualTo("b-ok.tar");
            assertThat(u.fileType()).isEqualTo("application/x-tar");
            assertThat(u.fileSize()).isEqualTo(300_000);
            assertThat(u.fileSha256()).isEqualTo(Recordings.sha256(tar));
            assertThat(u.metaFileName()).isEqualTo("metadata.xml");
            assertThat(u.metaType()).isEqualTo("application/xml");
            assertThat(u.meta()).isEqualTo(Files.readAllBytes(dir.resolve("b-ok.meta.xml")));
            assertThat(u.secretHeader()).isNull();
        });
        // tar and metadata stay, untouched, for the cleanup, retention counted from the evidence of the 2xx
        assertThat(tar).exists();
        assertThat(Files.getLastModifiedTime(tar)).isEqualTo(Recordings.OLD);
        assertThat(org.b3lb.node.layout.Evidence.uploadedAt(new org.b3lb.node.layout.RecordingFiles(dir, "b-ok"),
                org.b3lb.node.layout.FileIdentity.of(tar))).isPresent();
        assertThat(dir.resolve("b-ok.meta.xml")).exists();
        awaitLog("INFO", "uploaded b-ok: ");
        // the nonce lets anyone upload into the record set: our lines leave it out (it travels in a URL,
        // so the HTTP client's DEBUG lines and any proxy's access log show it, as for B3LB's own pusher)
        String encoded = PercentCodec.encode(nonce, StandardCharsets.UTF_8);
        assertThat(logs.lines()).filteredOn(l -> !l.startsWith("DEBUG ") && !l.startsWith("TRACE "))
                .noneMatch(l -> l.contains(nonce) || l.contains(encoded));
    }

    @Test
    void malformedMetadataIs400AndKeepsTheMarkerForAnAdmin() throws Exception {
        String nonce = B3lbRecordings.nonce();
        b3lb.knows(nonce);
        Path tar = B3lbRecordings.ready(dir, "b-400", nonce, "<?xml version=\"1.0\"?>\n<playback><format>x</format></playback>\n", 1000);
        awaitLog("ERROR", "b-400: upload refused: HTTP 400: B3LB refused the upload as malformed: missing nonce/file/meta "
                + "or bad metadata.xml");
        assertThat(dir.resolve("b-400.ready")).exists();
        assertThat(tar).exists();
        assertThat(b3lb.uploads(nonce)).extracting(B3lbReceiver.Upload::status).containsExactly(400);
    }

    @Test
    void metadataThatIsNotXmlIs500AndKeepsTheMarkerWithoutResending() throws Exception {
        String nonce = B3lbRecordings.nonce();
        b3lb.knows(nonce);
        B3lbRecordings.ready(dir, "b-500", nonce, "<recording><id>cut off", 1000);
        awaitLog("ERROR", "b-500: upload refused: HTTP 500: B3LB failed parsing metadata.xml");
        assertThat(logs.lines("ERROR", "b-500: ")).singleElement().asString()
                .contains("ruby /usr/local/bigbluebutton/core/scripts/post_publish/b3lb-node-push-hook.rb -m b-500 -f presentation")
                .contains("the marker stays, next try in 10m");
        assertThat(dir.resolve("b-500.ready")).exists();
        // a 500 is B3LB's verdict on the file, not a bad moment: no transient retries
        assertThat(b3lb.uploads(nonce)).extracting(B3lbReceiver.Upload::status).containsExactly(500);
        assertThat(logs.lines("WARN", "b-500: ")).isEmpty();
    }

    @Test
    void aBreakoutRoomRecordingIs403AndItsMarkerGoesWhileTheTarStays() throws Exception {
        String nonce = B3lbRecordings.nonce();
        b3lb.knows(nonce);
        Path tar = B3lbRecordings.ready(dir, "b-breakout", nonce, B3lbRecordings.metadata("b-breakout", nonce, true), 1000);
        awaitMarkerGone("b-breakout");
        awaitLog("WARN", "b-breakout: HTTP 403"); // logged right after the marker is deleted
        assertThat(b3lb.uploads(nonce)).extracting(B3lbReceiver.Upload::status).containsExactly(403);
        assertThat(logs.lines("WARN", "b-breakout: HTTP 403: a breakout room recording (isBreakout=true in "
                + "b-breakout.meta.xml), which B3LB 3.x does not take")).singleElement().asString()
                .contains("b-breakout.ready is removed and b-breakout.tar kept for the cleanup");
        assertThat(logs.lines("ERROR", "b-breakout")).isEmpty();
        assertThat(tar).exists();
        assertThat(Files.getLastModifiedTime(tar)).isGreaterThan(Recordings.OLD);
        assertThat(node.management("/observe/metrics").body())
                .containsPattern("(?m)^b3lb_uploads_total\\{outcome=\"abandoned\"\\} [1-9]");
    }

    @Test
    void aRecordSetB3lbDeletedIs404AndItsMarkerGoesWhileTheTarStays() throws Exception {
        String nonce = B3lbRecordings.nonce(); // B3LB does not know it: the meeting ended without recording marks
        Path tar = B3lbRecordings.ready(dir, "b-unknown", nonce, 1000);
        awaitMarkerGone("b-unknown");
        awaitLog("WARN", "b-unknown: HTTP 404"); // logged right after the marker is deleted
        assertThat(b3lb.uploads(nonce)).extracting(B3lbReceiver.Upload::status).containsExactly(404);
        assertThat(logs.lines("WARN", "b-unknown: HTTP 404: B3LB no longer knows this recording's record set")).hasSize(1);
        assertThat(tar).exists();
        assertThat(dir.resolve("b-unknown.meta.xml")).exists();
    }

    @Test
    void aStorageErrorIs503AndRetriedUntilB3lbStoresIt() throws Exception {
        String nonce = B3lbRecordings.nonce();
        b3lb.knows(nonce).storageFails(nonce, 2);
        Path tar = B3lbRecordings.ready(dir, "b-503", nonce, 5000);
        awaitMarkerGone("b-503");
        assertThat(b3lb.uploads(nonce)).extracting(B3lbReceiver.Upload::status).containsExactly(503, 503, 204);
        assertThat(b3lb.uploads(nonce).get(2).fileSha256()).isEqualTo(Recordings.sha256(tar));
        assertThat(logs.lines("WARN", "b-503: upload failed: HTTP 503")).hasSize(2);
    }

    @Test
    void aMarkerWithoutNonceIsOneErrorNamingTheMarkerAndTheFix() throws Exception {
        B3lbRecordings.meta(dir, "b-empty", B3lbRecordings.metadata("b-empty", "x", false));
        Recordings.ready(dir, "b-empty", 1000); // the spec's empty marker
        Files.writeString(dir.resolve("b-bad.ready"), "two words\n");
        B3lbRecordings.meta(dir, "b-bad", B3lbRecordings.metadata("b-bad", "x", false));
        Recordings.tar(dir, "b-bad", 1000);
        awaitLog("ERROR", "b-empty: upload refused: " + dir.resolve("b-empty.ready") + " is empty");
        awaitLog("ERROR", "b-bad: upload refused: " + dir.resolve("b-bad.ready") + " does not start with a B3LB nonce");
        assertThat(logs.lines("ERROR", "b-empty: ")).singleElement().asString()
                .contains("re-run the hook for this meeting").contains("-m b-empty -f presentation");
        assertThat(dir.resolve("b-empty.ready")).exists();
        assertThat(dir.resolve("b-bad.ready")).exists();
        assertThat(b3lb.uploads()).noneMatch(u -> "b-empty.tar".equals(u.fileName()) || "b-bad.tar".equals(u.fileName()));
    }

    @Test
    void aMissingOrLinkedMetadataFileKeepsTheMarkerAndSendsNothing() throws Exception {
        String nonce = B3lbRecordings.nonce();
        b3lb.knows(nonce);
        B3lbRecordings.ready(dir, "b-nometa", nonce, 1000);
        Files.delete(dir.resolve("b-nometa.meta.xml"));
        Path elsewhere = Files.writeString(tmp.resolve("elsewhere.xml"), B3lbRecordings.metadata("b-link", nonce, false));
        B3lbRecordings.ready(dir, "b-link", nonce, 1000);
        Files.delete(dir.resolve("b-link.meta.xml"));
        Files.createSymbolicLink(dir.resolve("b-link.meta.xml"), elsewhere);

        awaitLog("ERROR", "b-nometa: upload refused: no b-nometa.meta.xml beside b-nometa.tar");
        awaitLog("ERROR", "b-link: upload refused: " + dir.resolve("b-link.meta.xml") + " is a symbolic link, not a regular file; refusing to open it");
        assertThat(logs.lines("ERROR", "b-nometa: ")).singleElement().asString().contains("-m b-nometa -f presentation");
        assertThat(dir.resolve("b-nometa.ready")).exists();
        assertThat(dir.resolve("b-link.ready")).exists();
        assertThat(b3lb.uploads(nonce)).isEmpty();
    }
}
