package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import org.b3lb.node.cleanup.RetentionRule.Look;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule on real files: only evidence naming the tar as it is now, past the retention, with no marker, deletes. */
class RetentionRuleTest {

    final RetentionRule rule = new RetentionRule(Duration.ofDays(7));

    @TempDir
    Path dir;

    Look look(String id) throws IOException {
        return rule.look(new RecordingFiles(dir, id), rule.cutoffMillis(Instant.now()));
    }

    @Test
    void anOldTarWithNeitherMarkerNorEvidenceIsUnmarkedNotExpired() throws IOException {
        // L3: the hook could not write <id>.ready; main deleted this tar as uploaded
        Fixture.file(dir, "never-marked.tar", Fixture.OLD);
        assertThat(look("never-marked").verdict()).isEqualTo(Verdict.UNMARKED);
        assertThat(look("never-marked").uploadedAt()).isNull();
    }

    @Test
    void evidenceDrivesTheAgeNotTheTarsMtime() throws IOException {
        // created long ago, uploaded just now (after an outage): retained the full period
        Fixture.evidence(Fixture.file(dir, "late.tar", Fixture.OLD), Duration.ofMinutes(1));
        assertThat(look("late").verdict()).isEqualTo(Verdict.RETAINED);
        // a fresh tar (1.0 would call it young) whose upload was 10 days ago
        Fixture.evidence(Fixture.file(dir, "early.tar", Duration.ZERO), Fixture.OLD);
        assertThat(look("early").verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(look("early").uploadedAt()).isBefore(Instant.now().minus(Duration.ofDays(9)));
    }

    @Test
    void theBoundaryIsKept() throws IOException {
        Instant now = Instant.now();
        Fixture.uploaded(dir, "edge.tar", Duration.ofDays(7));
        RecordingFiles r = new RecordingFiles(dir, "edge");
        long uploaded = rule.look(r, Long.MAX_VALUE).uploadedAt().toEpochMilli();
        assertThat(rule.look(r, uploaded).verdict()).isEqualTo(Verdict.RETAINED);
        assertThat(rule.look(r, uploaded + 1).verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(rule.cutoffMillis(now)).isEqualTo(now.toEpochMilli() - Duration.ofDays(7).toMillis());
    }

    @Test
    void evidenceForAnotherVersionIsNoEvidence() throws IOException {
        Fixture.uploaded(dir, "rebuilt.tar", Fixture.OLD);
        // the hook renames a new tar into place: another inode, whatever its size and mtime
        Path newer = Fixture.file(Files.createDirectory(dir.resolve("sub")), "rebuilt.tar", Fixture.OLD);
        Files.move(newer, dir.resolve("rebuilt.tar"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(look("rebuilt").verdict()).isEqualTo(Verdict.UNMARKED);

        // rewritten in place: same inode, another mtime
        Fixture.uploaded(dir, "rewritten.tar", Fixture.OLD);
        Files.write(dir.resolve("rewritten.tar"), new byte[1000]);
        assertThat(look("rewritten").verdict()).isEqualTo(Verdict.UNMARKED);
    }

    @Test
    void aMarkerKeepsATarWithEvidence() throws IOException {
        Fixture.uploaded(dir, "both.tar", Fixture.OLD);
        Fixture.file(dir, "both.ready", Fixture.OLD, 0);
        assertThat(look("both").verdict()).isEqualTo(Verdict.PENDING);
        // a dangling link is a marker too: it cannot be told absent
        Fixture.uploaded(dir, "link.tar", Fixture.OLD);
        Files.createSymbolicLink(dir.resolve("link.ready"), dir.resolve("nowhere"));
        assertThat(look("link").verdict()).isEqualTo(Verdict.PENDING);
    }

    @Test
    void markedTarsArePendingOnlyPastTheRetention() throws IOException {
        Fixture.file(dir, "old.tar", Fixture.OLD);
        Fixture.file(dir, "old.ready", Fixture.OLD, 0);
        Fixture.file(dir, "young.tar", Fixture.NEW);
        Fixture.file(dir, "young.ready", Fixture.NEW, 0);
        assertThat(look("old").verdict()).isEqualTo(Verdict.PENDING);
        assertThat(look("young").verdict()).isEqualTo(Verdict.RETAINED);
    }

    @Test
    void linksDirectoriesAndMissingTarsAreNoRecordings() throws IOException {
        Path target = Fixture.uploaded(dir, "target.tar", Fixture.OLD);
        Files.createSymbolicLink(dir.resolve("link.tar"), target);
        Files.copy(dir.resolve("target.uploaded"), dir.resolve("link.uploaded"));
        Files.createDirectory(dir.resolve("sub.tar"));
        assertThat(look("link").verdict()).isEqualTo(Verdict.NOT_A_RECORDING);
        assertThat(look("sub").verdict()).isEqualTo(Verdict.NOT_A_RECORDING);
        assertThatThrownBy(() -> look("gone")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void negativeRetentionIsRefused() {
        assertThatThrownBy(() -> new RetentionRule(Duration.ofDays(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
