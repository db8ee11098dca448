package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13: a poll lists the recording directory only when the listing can find work. */
class PollGateTest {

    private static final int BATCH = 500;

    @TempDir
    Path tmp;

    private Path dir;
    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private RecordingSchedule schedule;
    private PollGate gate;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createDirectories(tmp.resolve("archived"));
        Files.write(dir.resolve("a.tar"), new byte[0]);
        olderDirectory();
        schedule = new RecordingSchedule(new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(10)), Duration.ofSeconds(5), clock::get);
        gate = new PollGate(new MarkerAudit(dir), schedule, inFlight::get, BATCH, clock::get, UploadPause.NEVER);
    }

    /** The directory last changed a minute before the gate's clock: its mtime can be trusted. */
    private void olderDirectory() throws Exception {
        long now = System.currentTimeMillis();
        Files.setLastModifiedTime(dir, FileTime.fromMillis(now - 60_000));
        clock.set(now);
    }

    private boolean polls() {
        return gate.begin(null, null);
    }

    @Test
    void nothingIsListedWhilePausedAndTheFirstPollAfterListsEvenAnUnchangedDirectory() {
        String[] figure = {"1000"};
        UploadPause pause = new UploadPause(new PauseRules(new java.math.BigDecimal("7000"), Duration.ZERO, null),
                () -> figure[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII), java.time.Clock.systemUTC());
        gate = new PollGate(new MarkerAudit(dir), schedule, inFlight::get, BATCH, clock::get, pause);
        assertThat(polls()).isTrue();
        assertThat(polls()).as("unchanged").isFalse();
        figure[0] = "8000";
        assertThat(polls()).as("paused").isFalse();
        figure[0] = "7000";
        assertThat(polls()).as("resumed (no hold here): lists at once").isTrue();
        assertThat(polls()).isFalse();
    }

    @Test
    void anUnchangedDirectoryIsListedOnceInFiveMinutesOnly() {
        assertThat(polls()).as("the first poll").isTrue();
        assertThat(polls()).isFalse();
        clock.addAndGet(299_000);
        assertThat(polls()).isFalse();
        clock.addAndGet(1_000);
        assertThat(polls()).as("five minutes after the last listing").isTrue();
        assertThat(polls()).isFalse();
    }

    @Test
    void aNewMarkerChangesTheDirectoryAndIsListed() throws Exception {
        assertThat(polls()).isTrue();
        assertThat(polls()).isFalse();
        Files.write(dir.resolve("a.ready"), new byte[0]);
        assertThat(polls()).isTrue();
        assertThat(polls()).as("the mtime is a second old at most: a change in the same tick could hide behind it").isTrue();
        clock.addAndGet(2_000);
        assertThat(polls()).as("listed once more after the mtime is old enough").isTrue();
        assertThat(polls()).isFalse();
    }

    @Test
    void aRemovedMarkerAlsoChangesTheDirectory() throws Exception {
        Path marker = Files.write(dir.resolve("b.ready"), new byte[0]);
        olderDirectory();
        assertThat(polls()).isTrue();
        assertThat(polls()).isFalse();
        Files.delete(marker);
        assertThat(polls()).isTrue();
    }

    @Test
    void aBackoffThatEndsListsAgain() {
        assertThat(polls()).isTrue();
        Duration wait = schedule.failed("a", null, null);
        assertThat(polls()).as("waiting").isFalse();
        clock.addAndGet(wait.toMillis() - 1);
        assertThat(polls()).isFalse();
        clock.addAndGet(1);
        assertThat(polls()).as("due now").isTrue();
        assertThat(polls()).as("listed since it became due").isFalse();
    }

    @Test
    void aClearedScheduleListsAgain() {
        schedule.failed("a", null, null);
        assertThat(polls()).isTrue();
        assertThat(polls()).isFalse();
        schedule.clear();
        assertThat(polls()).isTrue();
    }

    @Test
    void noListingWithoutRoomForABatchAndOneAsSoonAsThereIs() {
        assertThat(polls()).isTrue();
        inFlight.set(BATCH + 1);
        assertThat(polls()).isFalse();
        inFlight.set(BATCH);
        assertThat(polls()).as("the directory is unchanged, but the earlier poll could not look").isTrue();
        assertThat(polls()).isFalse();
    }

    @Test
    void aFullBatchOrATarStillChangingListsAgain() {
        assertThat(polls()).isTrue();
        gate.commit(null, null, BATCH);
        assertThat(polls()).as("the batch was full: more may wait").isTrue();
        gate.commit(null, null, BATCH - 1);
        assertThat(polls()).isFalse();
        gate.listAgain();
        assertThat(polls()).isTrue();
        assertThat(polls()).isFalse();
    }

    @Test
    void aReplacedDirectoryWithTheSameMtimeIsListed() throws Exception {
        assertThat(polls()).isTrue();
        FileTime mtime = Files.getLastModifiedTime(dir);
        Path old = Files.move(dir, tmp.resolve("old"));
        Files.createDirectory(dir);
        Files.setLastModifiedTime(dir, mtime);
        assertThat(polls()).isTrue();
        assertThat(old).exists();
    }

    @Test
    void aMissingDirectoryIsNoPoll() throws Exception {
        assertThat(polls()).isTrue();
        Files.delete(dir.resolve("a.tar"));
        Files.delete(dir);
        assertThat(polls()).isFalse();
        Files.createDirectory(dir);
        assertThat(polls()).isTrue();
    }
}
