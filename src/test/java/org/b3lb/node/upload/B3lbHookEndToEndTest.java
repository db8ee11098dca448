package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.b3lb.node.testing.RunningNode;
import org.b3lb.node.upload.HookFixture.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A B3LB 3.x recording from BBB's post_publish to B3LB's storage: the real hook, run by
 * {@code ruby} as BigBlueButton runs it after publishing (every stage and format, as BBB calls
 * it), packs the published presentation; the started service uploads it to {@link B3lbReceiver}.
 */
class B3lbHookEndToEndTest {

    static final String ID = "6e35e3b2778883f5db637d7a5dba0a427f692e91-1700000000000";

    @TempDir
    Path tmp;

    @Test
    void thePublishedPresentationArrivesAtB3lbAsThePusherSendsIt() throws Exception {
        String nonce = B3lbRecordings.nonce();
        HookFixture f = new HookFixture(tmp);
        f.rawRecording(ID, "b3lb-recordset=\"" + nonce + "\"", 5000);
        Path published = f.publishedRecording(ID, nonce, 200_000);
        Map<String, String> b3lbProtocol = Map.of("B3LB_PROTOCOL", "b3lb");
        try (B3lbReceiver b3lb = new B3lbReceiver().knows(nonce);
             RunningNode node = RunningNode.builder(f.rec)
                     .with("b3lb.protocol", "b3lb")
                     .with("b3lb.upload.endpoint", b3lb.endpoint())
                     .with("b3lb.upload.secret", "")
                     .start()) {
            // post_archive, then post_publish once per format: only presentation acts under b3lb
            for (String[] args : new String[][] {{"-m", ID}, {"-m", ID, "-f", "video"}, {"-m", ID, "-f", "presentation"}}) {
                Run r = f.hook(b3lbProtocol, args);
                assertThat(r.code()).as(r.output()).isZero();
            }
            Path tar = f.rec.resolve(ID + ".tar");
            await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(f.rec.resolve(ID + ".ready")));

            assertThat(b3lb.uploads(nonce)).singleElement().satisfies(u -> {
                assertThat(u.status()).isEqualTo(204);
                assertThat(u.fileName()).isEqualTo(ID + ".tar");
                assertThat(u.fileSha256()).isEqualTo(Recordings.sha256(tar));
                assertThat(u.meta()).isEqualTo(Files.readAllBytes(published.resolve("metadata.xml")));
                assertThat(u.secretHeader()).isNull();
            });
            assertThat(HookFixture.tarList(tar)).contains("./metadata.xml", "./video/webcams.webm");
            // the evidence of the 2xx beside them: what lets a cleanup delete them after the retention
            assertThat(f.recordingDir()).containsExactly(ID + ".meta.xml", ID + ".tar", ID + org.b3lb.node.layout.RecordingLayout.EVIDENCE);
        }
    }
}
