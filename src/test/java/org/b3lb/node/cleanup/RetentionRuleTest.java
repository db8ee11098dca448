package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetentionRuleTest {

    static final Instant NOW = Instant.parse("2026-11-28T03:00:00Z");
    final RetentionRule rule = new RetentionRule(Duration.ofDays(7));

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1554230749920.tar", "a.tar", "A_b-9.tar", "a.b.tar", "rec.2026.tar"})
    void recordingNamesYieldTheirId(String name) {
        assertThat(RetentionRule.recordingId(name)).isEqualTo(name.substring(0, name.length() - 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x.tar.tmp", "x.ready", "x.TAR", "x.tar.gz", ".tar", ".x.tar", "_x.tar", "x y.tar",
            "x.tar ", "-x.tar", "ünï.tar", "x.tarx", "tar", "x.txt", "x.tar/"})
    void otherNamesAreNeverRecordings(String name) {
        assertThat(RetentionRule.recordingId(name)).isNull();
    }

    @Test
    void markerIsTheIdWithReady() {
        assertThat(RetentionRule.markerName("abc-1")).isEqualTo("abc-1.ready");
    }

    @Test
    void olderThanTheRetentionIsExpiredAndTheBoundaryIsKept() {
        Instant cutoff = NOW.minus(Duration.ofDays(7));
        assertThat(rule.expired(FileTime.from(cutoff.minusSeconds(1)), NOW)).isTrue();
        assertThat(rule.expired(FileTime.from(cutoff), NOW)).isFalse();
        assertThat(rule.expired(FileTime.from(cutoff.plusSeconds(1)), NOW)).isFalse();
    }

    @Test
    void anMtimeInTheFutureIsYoung() {
        assertThat(rule.expired(FileTime.from(NOW.plus(Duration.ofDays(30))), NOW)).isFalse();
    }

    @Test
    void aTarCreatedLongAgoButUploadedJustNowIsRetained() throws IOException {
        // the upload route sets the mtime to the upload time: that, not the creation, is what counts
        Path tar = Fixture.file(dir, "late.tar", Duration.ZERO);
        assertThat(new RetentionRule(Duration.ofDays(7)).judge("late.tar", attrs(tar), () -> true, Instant.now()))
                .isEqualTo(Verdict.RETAINED);
    }

    @Test
    void verdictsForRealEntries() throws IOException {
        Instant now = Instant.now();
        Path old = Fixture.file(dir, "old.tar", Fixture.OLD);
        Path young = Fixture.file(dir, "young.tar", Fixture.NEW);
        Path sub = Files.createDirectory(dir.resolve("sub.tar"));
        Fixture.age(sub, Fixture.OLD);
        Path link = Files.createSymbolicLink(dir.resolve("link.tar"), old);
        Fixture.age(link, Fixture.OLD);

        assertThat(rule.judge("old.tar", attrs(old), () -> true, now)).isEqualTo(Verdict.EXPIRED);
        assertThat(rule.judge("old.tar", attrs(old), () -> false, now)).isEqualTo(Verdict.PENDING);
        assertThat(rule.judge("young.tar", attrs(young), () -> true, now)).isEqualTo(Verdict.RETAINED);
        assertThat(rule.judge("young.tar", attrs(young), () -> false, now)).isEqualTo(Verdict.RETAINED);
        assertThat(rule.judge("sub.tar", attrs(sub), () -> true, now)).isEqualTo(Verdict.NOT_A_RECORDING);
        assertThat(rule.judge("link.tar", attrs(link), () -> true, now)).isEqualTo(Verdict.NOT_A_RECORDING);
        assertThat(rule.judge("old.tar.tmp", attrs(old), () -> true, now)).isEqualTo(Verdict.NOT_A_RECORDING);
    }

    @Test
    void theMarkerIsAskedForOnlyWhenTheAgeAllowsDeletion() throws IOException {
        Path young = Fixture.file(dir, "young.tar", Fixture.NEW);
        BooleanSupplier never = () -> {
            throw new AssertionError("marker asked for a young recording");
        };
        assertThat(rule.judge("young.tar", attrs(young), never, Instant.now())).isEqualTo(Verdict.RETAINED);
        assertThat(rule.judge("young.tar.tmp", attrs(young), never, Instant.now())).isEqualTo(Verdict.NOT_A_RECORDING);
    }

    @Test
    void negativeRetentionIsRefused() {
        assertThatThrownBy(() -> new RetentionRule(Duration.ofDays(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    private static BasicFileAttributes attrs(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }
}
