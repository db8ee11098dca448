package org.b3lb.node.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceTest {

    @TempDir
    Path dir;

    @Test
    void evidenceNamesTheVersionThatWasSentAndNoOther() throws Exception {
        RecordingFiles r = new RecordingFiles(dir, "abc-1");
        Files.write(r.tar(), new byte[] {1, 2, 3});
        FileIdentity sent = FileIdentity.of(r.tar());
        Instant at = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Evidence.write(r, sent, at);

        assertEquals(at, Evidence.uploadedAt(r, FileIdentity.of(r.tar())).orElseThrow());
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temp file left beside tar and evidence");
        }

        // rewritten in place (cp over it): same inode, other mtime
        Files.write(r.tar(), new byte[] {1, 2, 3});
        Files.setLastModifiedTime(r.tar(), FileTime.from(Instant.now().plusSeconds(5)));
        assertTrue(Evidence.uploadedAt(r, FileIdentity.of(r.tar())).isEmpty());

        // a rebuilt tar renamed into place: a new inode
        Path tmp = dir.resolve(RecordingLayout.tempName("abc-1", ".tar", "77"));
        Files.write(tmp, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(tmp, FileTime.fromMillis(sent.mtimeNanos() / 1_000_000));
        Files.move(tmp, r.tar(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertFalse(Evidence.uploadedAt(r, FileIdentity.of(r.tar())).isPresent());
    }

    @Test
    void anythingButOurLineIsNoEvidence() throws Exception {
        RecordingFiles r = new RecordingFiles(dir, "x");
        Files.write(r.tar(), new byte[] {1});
        Files.writeString(r.evidence(), "");
        assertTrue(Evidence.uploadedAt(r, FileIdentity.of(r.tar())).isEmpty(), "an empty file proves nothing");
        Files.delete(r.evidence());
        Files.createSymbolicLink(r.evidence(), dir.resolve("elsewhere"));
        assertTrue(Evidence.uploadedAt(r, FileIdentity.of(r.tar())).isEmpty(), "a link proves nothing");
        assertNull(FileIdentity.parse("dev=1 ino=2 size=x mtime=4"));
    }

    @Test
    void idRuleAndDerivedNames() {
        assertTrue(RecordingLayout.validId("0123456789abcdef0123456789abcdef01234567-1700000000000"));
        assertFalse(RecordingLayout.validId("a".repeat(RecordingLayout.MAX_ID_LENGTH + 1)));
        assertFalse(RecordingLayout.validId(".hidden"));
        assertFalse(RecordingLayout.validId("-opt"));
        assertFalse(RecordingLayout.validId("a b"));
        assertEquals("m-1", RecordingLayout.idOf("m-1.tar", RecordingLayout.TAR));
        assertNull(RecordingLayout.idOf(".tar", RecordingLayout.TAR));
        String longest = RecordingLayout.tempName("a".repeat(RecordingLayout.MAX_ID_LENGTH), RecordingLayout.META, "4194304");
        assertTrue(longest.length() <= 255, "the longest derived name fits NAME_MAX: " + longest.length());
        assertEquals("m-1", RecordingLayout.leftoverOwner(RecordingLayout.tempName("m-1", ".tar", "123")));
        assertEquals("m-1", RecordingLayout.leftoverOwner(RecordingLayout.lockName("m-1")));
        assertNull(RecordingLayout.leftoverOwner("m-1.tar.tmp"));
        assertNull(RecordingLayout.leftoverOwner(".bashrc"));
    }
}
