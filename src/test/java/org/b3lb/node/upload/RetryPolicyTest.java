package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Backoff and classification: which answers are retried, how soon, and what the admin is told. */
class RetryPolicyTest {

    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10));

    @Test
    void delayDoublesFromInitialAndStopsAtMax() {
        assertThat(backoff.after(1, null)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.after(2, null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(5, null)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.after(10, null)).isEqualTo(Duration.ofSeconds(512));
        assertThat(backoff.after(11, null)).isEqualTo(Duration.ofMinutes(10));
        assertThat(backoff.after(1000, null)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void retryAfterIsAFloorButMaxDelayStillCaps() {
        assertThat(backoff.after(1, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.after(6, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(32));
        assertThat(backoff.after(1, Duration.ofHours(2))).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void retryAfterInSecondsOrAsHttpDate() {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        assertThat(FailureClassifier.retryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(FailureClassifier.retryAfter("Thu, 01 Jan 2026 12:01:30 GMT", now)).isEqualTo(Duration.ofSeconds(90));
        assertThat(FailureClassifier.retryAfter("Thu, 01 Jan 2026 11:00:00 GMT", now)).isEqualTo(Duration.ZERO);
        assertThat(FailureClassifier.retryAfter("soon", now)).isNull();
        assertThat(FailureClassifier.retryAfter("-5", now)).isNull();
        assertThat(FailureClassifier.retryAfter(null, now)).isNull();
    }

    @Test
    void transientAnswersAreTheOnesWorthWaitingFor() {
        for (int s : new int[] {408, 429, 500, 502, 503, 504, 599}) {
            assertThat(FailureClassifier.transientStatus(s)).as("HTTP " + s).isTrue();
        }
        for (int s : new int[] {400, 401, 403, 404, 405, 413, 422, 301}) {
            assertThat(FailureClassifier.transientStatus(s)).as("HTTP " + s).isFalse();
        }
        assertThat(FailureClassifier.success(200)).isTrue();
        assertThat(FailureClassifier.success(204)).isTrue();
        assertThat(FailureClassifier.success(299)).isTrue();
        assertThat(FailureClassifier.success(301)).isFalse();
    }

    @Test
    void permanentAnswersComeWithTheLikelyFix() {
        assertThat(FailureClassifier.hint(401)).contains("b3lb.upload.secret");
        assertThat(FailureClassifier.hint(403)).contains("b3lb.upload.secret");
        assertThat(FailureClassifier.hint(404)).contains("b3lb.upload.endpoint");
        assertThat(FailureClassifier.hint(413)).contains("client_max_body_size");
        assertThat(FailureClassifier.hint(302)).contains("redirects");
    }

    @Test
    void scheduleHoldsARecordingBackUntilItsBackoffEnds() {
        long[] now = {1_000_000};
        RecordingSchedule s = new RecordingSchedule(backoff, Duration.ofSeconds(5), () -> now[0]);
        assertThat(s.due("r")).isTrue();
        assertThat(s.failed("r", null, null)).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.due("r")).isFalse();
        now[0] += 1000;
        assertThat(s.due("r")).isTrue();
        assertThat(s.failed("r", null, null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.remaining("r")).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.rejected("r", null, 0)).isEqualTo(Duration.ofMinutes(10));
        now[0] += 599_000;
        assertThat(s.due("r")).isFalse();
        s.forget("r");
        assertThat(s.due("r")).isTrue();
        assertThat(s.failures("r")).isZero();
    }

    @Test
    void scheduleWaitsForATarToStopChanging() {
        long[] now = {1_000_000};
        RecordingSchedule s = new RecordingSchedule(backoff, Duration.ofSeconds(5), () -> now[0]);
        // written long ago: complete at first sight (a restart must not wait a poll)
        assertThat(s.stable("old", 10, now[0] - 60_000)).isTrue();
        // just written: wait one poll for it to stay the same
        assertThat(s.stable("new", 10, now[0] - 100)).isFalse();
        assertThat(s.stable("new", 20, now[0])).isFalse();
        assertThat(s.stable("new", 20, now[0])).isTrue();
    }

    @Test
    void errorBodiesNeverCarryAPieceOfTheSecret() {
        String secret = "t3st-s3cret-9f1c7e";
        // a body cut at 200 bytes may hold only the secret's start (issue 10 D4)
        assertThat(FailureClassifier.snippet(500, "bad token t3st-s3c", secret)).isEqualTo(" (server said: bad token (hidden))");
        assertThat(FailureClassifier.snippet(500, "echo t3st-s3cret-9f1c7e!", secret)).doesNotContain("t3st");
        assertThat(FailureClassifier.snippet(500, "line one\nline two", secret)).isEqualTo(" (server said: line one)");
        // a refusal may echo what was sent: none of its body is logged
        assertThat(FailureClassifier.snippet(401, "you sent t3st-s3cret-9f1c7e", secret)).isEmpty();
        assertThat(FailureClassifier.snippet(403, "forbidden", secret)).isEmpty();
    }
}
