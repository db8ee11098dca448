package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.b3lb.node.upload.HookFixture.Run;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook runs as root on some nodes: a symlink where BBB keeps a recording's files would make it
 * copy whatever the link points at into the recording directory, and from there to B3LB (issue 20,
 * W6). Symlinked sources and a metadata.xml that is not a regular file are refused, nothing done.
 */
class PushHookSymlinkTest {

    static final String ID = PushHookPublishTest.ID;
    static final String NONCE = PushHookPublishTest.NONCE;
    static final Map<String, String> B3LB = PushHookPublishTest.B3LB;
    static final String SECRET = "root-only-secret-4711";

    @TempDir
    Path tmp;
    HookFixture f;
    Path secret;

    @BeforeEach
    void dirs() throws Exception {
        f = new HookFixture(tmp);
        // a file only root may read, shaped so that a hook following the link would find a nonce in it
        secret = Files.writeString(tmp.resolve("secret.xml"), "<recording><meta><b3lb-recordset>" + NONCE
                + "</b3lb-recordset></meta><key>" + SECRET + "</key></recording>\n");
    }

    @Test
    void aSymlinkedMetadataXmlIsRefusedAndItsTargetNeverCopied() throws Exception {
        Path pub = f.publishedRecording(ID, NONCE, 100);
        Files.delete(pub.resolve("metadata.xml"));
        Files.createSymbolicLink(pub.resolve("metadata.xml"), secret);
        // with the nonce from the raw events.xml, and without (from the metadata.xml itself)
        for (boolean raw : new boolean[] {true, false}) {
            if (raw) {
                f.rawRecording(ID, "b3lb-recordset=\"" + NONCE + "\"", 10);
            } else {
                deleteTree(f.raw.resolve(ID));
            }
            Run r = f.hook(B3LB, "-m", ID, "-f", "presentation");
            assertThat(r.code()).as(r.output()).isEqualTo(1);
            assertThat(r.output().strip().lines()).as(r.output()).singleElement().asString()
                    .contains("refusing to pack: " + pub.resolve("metadata.xml") + " is a symlink").contains("nothing done");
            assertThat(f.recordingDir()).isEmpty();
            assertNoFileBelowHolds(f.rec, SECRET);
        }
    }

    @Test
    void aMetadataXmlThatIsNotARegularFileIsRefusedWithoutOpeningIt() throws Exception {
        f.rawRecording(ID, "b3lb-recordset=\"" + NONCE + "\"", 10);
        Path pub = f.publishedRecording(ID, NONCE, 100);
        Files.delete(pub.resolve("metadata.xml"));
        // a FIFO: opening it to read would wait for a writer forever
        Process mkfifo = new ProcessBuilder("mkfifo", pub.resolve("metadata.xml").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Run r = f.hook(B3LB, "-m", ID, "-f", "presentation");
        assertThat(r.code()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains(pub.resolve("metadata.xml") + " is not a regular file");
        assertThat(f.recordingDir()).isEmpty();
    }

    @Test
    void aSymlinkedPublishedOrRawRecordingIsRefused() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.copy(secret, elsewhere.resolve("metadata.xml"));
        Files.createSymbolicLink(f.published.resolve(ID), elsewhere);
        Run published = f.hook(B3LB, "-m", ID, "-f", "presentation");
        assertThat(published.code()).as(published.output()).isEqualTo(1);
        assertThat(published.output()).contains(f.published.resolve(ID) + " is a symlink");

        Files.createSymbolicLink(f.raw.resolve("m-1"), elsewhere);
        Run raw = f.hook(Map.of(), "-m", "m-1");
        assertThat(raw.code()).as(raw.output()).isEqualTo(1);
        assertThat(raw.output()).contains(f.raw.resolve("m-1") + " is a symlink");

        assertThat(f.recordingDir()).isEmpty();
        assertNoFileBelowHolds(f.rec, SECRET);
    }

    private static void assertNoFileBelowHolds(Path dir, String text) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).as(p.toString()).doesNotContain(text);
            }
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
