package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.b3lb.node.upload.HookFixture.Run;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook under {@code b3lb.protocol=b3lb}, run from post_publish the way BigBlueButton runs it:
 * {@code ruby <script> -m <id> -f <format>}, once per published format.
 */
class PushHookPublishTest {

    // 64 characters from B3LB's NONCE_CHAR_POOL, every special character included
    static final String NONCE = "aZ09!@*(-_)" + "x".repeat(53);
    static final String ID = "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1700000000000";
    static final Map<String, String> B3LB = Map.of("B3LB_PROTOCOL", "b3lb");

    @TempDir
    Path tmp;
    HookFixture f;

    @BeforeEach
    void dirs() throws Exception {
        f = new HookFixture(tmp);
    }

    private Run publish(String format) throws Exception {
        return f.hook(B3LB, "-m", ID, "-f", format);
    }

    @Test
    void presentationWithNonceIsPackedAtTheTarRootWithItsMetadataAndTheNonceInTheMarker() throws Exception {
        f.rawRecording(ID, "b3lb-recordset=\"" + NONCE + "\"", 5000);
        Path pub = f.publishedRecording(ID, NONCE, 3000);
        Run r = publish("presentation");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).contains(ID).contains("marked for upload");
        assertThat(f.recordingDir()).containsExactly(ID + ".meta.xml", ID + ".ready", ID + ".tar");
        // the contents at the root, as B3LB's pusher (tar -C <dir> .) sends them; no <id>/ prefix
        assertThat(HookFixture.tarList(f.rec.resolve(ID + ".tar"))).containsExactlyInAnyOrder("./", "./metadata.xml",
                "./presentation/", "./presentation/slides/", "./presentation/slides/slide-1.svg", "./video/",
                "./video/webcams.webm");
        assertThat(f.rec.resolve(ID + ".meta.xml")).hasSameBinaryContentAs(pub.resolve("metadata.xml"));
        assertThat(Files.readString(f.rec.resolve(ID + ".ready"))).isEqualTo(NONCE + "\n");
        // BBB's published copy is read, never changed
        assertThat(pub.resolve("video/webcams.webm")).hasSize(3000);
    }

    @Test
    void theTarHoldsThePublishedBytes() throws Exception {
        f.rawRecording(ID, "b3lb-recordset=\"" + NONCE + "\"", 10);
        Path pub = f.publishedRecording(ID, NONCE, 10);
        Files.writeString(pub.resolve("video/webcams.webm"), "webcam bytes");
        assertThat(publish("presentation").code()).isZero();
        Path out = Files.createDirectories(tmp.resolve("extracted"));
        Process p = new ProcessBuilder("tar", "-xf", f.rec.resolve(ID + ".tar").toString(), "-C", out.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        assertThat(out.resolve("video/webcams.webm")).hasContent("webcam bytes");
        assertThat(out.resolve("metadata.xml")).hasSameBinaryContentAs(pub.resolve("metadata.xml"));
    }

    @Test
    void otherFormatsDoNothing() throws Exception {
        f.rawRecording(ID, "b3lb-recordset=\"" + NONCE + "\"", 10);
        f.publishedRecording(ID, NONCE, 10);
        for (String format : List.of("video", "podcast", "screenshare")) {
            Run r = publish(format);
            assertThat(r.code()).as(format + ": " + r.output()).isZero();
        }
        assertThat(f.recordingDir()).isEmpty();
    }

    @Test
    void aRecordingWithoutTheNonceDidNotComeThroughB3lbAndIsLeftAlone() throws Exception {
        f.rawRecording(ID, "", 10);
        f.publishedRecording(ID, null, 10);
        for (String format : List.of("presentation", "video")) {
            Run r = publish(format);
            assertThat(r.code()).as(r.output()).isZero();
            if (format.equals("presentation")) {
                assertThat(r.output()).contains("no b3lb-recordset").contains("not created through B3LB");
            }
        }
        assertThat(f.recordingDir()).isEmpty();
    }

    @Test
    void theMetadataTagIsB3lbsSettingAndMatchedIgnoringCase() throws Exception {
        // BBB stores meta_ parameter names in lower case
        f.rawRecording(ID, "my-recordset=\"" + NONCE + "\" b3lb-recordset=\"other\"", 10);
        f.publishedRecording(ID, NONCE, 10);
        Run r = f.hook(Map.of("B3LB_PROTOCOL", "b3lb", "B3LB_RECORD_META_TAG", "My-RecordSet"), "-m", ID, "-f", "presentation");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(Files.readString(f.rec.resolve(ID + ".ready"))).isEqualTo(NONCE + "\n");
    }

    @Test
    void withoutTheRawEventsTheNonceComesFromThePublishedMetadata() throws Exception {
        // BBB may have removed the raw files of a published recording before an admin re-runs the hook
        f.publishedRecording(ID, NONCE, 10);
        Run r = publish("presentation");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(Files.readString(f.rec.resolve(ID + ".ready"))).isEqualTo(NONCE + "\n");
    }

    @Test
    void aValueThatIsNotAB3lbNonceIsRefusedAndNothingIsWritten() throws Exception {
        for (String bad : List.of("two words", "x".repeat(101), "semi;colon", "new&#10;line", "quote&quot;")) {
            f.rawRecording(ID, "b3lb-recordset=\"" + bad + "\"", 10);
            f.publishedRecording(ID, null, 10);
            Run r = publish("presentation");
            assertThat(r.code()).as(bad).isNotZero();
            assertThat(r.output()).as(bad).contains("is not a B3LB nonce");
        }
        assertThat(f.recordingDir()).isEmpty();
    }

    @Test
    void noPublishedPresentationIsLoggedAndNotAnError() throws Exception {
        f.rawRecording(ID, "b3lb-recordset=\"" + NONCE + "\"", 10);
        Run r = publish("presentation");
        assertThat(r.code()).isZero();
        assertThat(r.output()).contains("no published presentation at " + f.published.resolve(ID));
        assertThat(f.recordingDir()).isEmpty();
    }

    @Test
    void aRebuildIsPackedAnewAndMarkedAgain() throws Exception {
        f.rawRecording(ID, "b3lb-recordset=\"" + NONCE + "\"", 10);
        Path pub = f.publishedRecording(ID, NONCE, 10);
        assertThat(publish("presentation").code()).isZero();
        Files.delete(f.rec.resolve(ID + ".ready")); // uploaded
        // bbb-record --rebuild publishes a new copy under the same id
        Files.writeString(pub.resolve("presentation/slides/slide-2.svg"), "<svg/>");
        assertThat(publish("presentation").code()).isZero();
        assertThat(HookFixture.tarList(f.rec.resolve(ID + ".tar"))).contains("./presentation/slides/slide-2.svg");
        assertThat(f.recordingDir()).containsExactly(ID + ".meta.xml", ID + ".ready", ID + ".tar");
    }

    @Test
    void tooLittleFreeSpaceForThePublishedTarLeavesEverythingAsItWas() throws Exception {
        f.rawRecording(ID, "b3lb-recordset=\"" + NONCE + "\"", 10);
        Path pub = f.publishedRecording(ID, NONCE, 3000);
        Run r = f.hook(Map.of("B3LB_PROTOCOL", "b3lb", "B3LB_FREE_SPACE_MARGIN", Long.toString(1L << 60)),
                "-m", ID, "-f", "presentation");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).contains("not packing " + pub).contains("-m " + ID + " -f presentation");
        assertThat(f.recordingDir()).isEmpty();
        assertThat(pub.resolve("video/webcams.webm")).hasSize(3000);
    }
}
