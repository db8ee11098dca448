package org.b3lb.node.upload;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-recording memory between polls: the next attempt's time, the failures in a row (so the
 * backoff keeps growing across polls), the last error, and the tar's size and mtime at the previous
 * poll (a growing tar is not sent). Hand-written because Camel keeps redelivery state per exchange,
 * and a waiting recording has no exchange: that keeps 100,000 of them cheap. In memory on purpose:
 * after a restart every marker is tried at once, as an admin restarting expects.
 */
public final class RecordingSchedule {

    /** The registry name status reads each pending recording's attempts, last error and next attempt by. */
    public static final String BEAN_NAME = "recordingSchedule";

    private static final class State {
        volatile long notBeforeMillis;
        long firstFailureMillis;
        long lastFailureMillis;
        int failures;
        boolean refused;
        int status; // of the last refusal, 0 for none or no answer
        long secretGeneration; // the refusal happened under
        String lastError;
        long size = -1;
        long mtimeMillis = -1;
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Backoff backoff;
    private final Duration settle;
    private final LongSupplier clock;
    private volatile LongSupplier secretGeneration = () -> 0;
    private volatile long lastSuccessMillis;
    private volatile long clearedMillis;

    /** @param settle how long a tar must have been left alone to be sent on first sight (the poll delay) */
    public RecordingSchedule(Backoff backoff, Duration settle, LongSupplier clockMillis) {
        this.backoff = backoff;
        this.settle = settle;
        this.clock = clockMillis;
    }

    /** Tells the schedule which secret is in use, so a new secret releases the recordings refused under the old one. */
    void secretGeneration(LongSupplier generation) {
        this.secretGeneration = generation;
    }

    /** False while the recording's backoff runs. */
    public boolean due(String id) {
        State s = states.get(id);
        return s == null || clock.getAsLong() >= s.notBeforeMillis || released(s, secretGeneration.getAsLong());
    }

    /** Whether a backoff ended, a new secret released a refusal, or the schedule was cleared since {@code sinceMillis}. */
    boolean dueSince(long sinceMillis) {
        if (clearedMillis >= sinceMillis) {
            return true;
        }
        long now = clock.getAsLong();
        long generation = secretGeneration.getAsLong(); // once per poll, not once per waiting recording
        return states.values().stream().anyMatch(s -> {
            long notBefore = s.notBeforeMillis;
            return (notBefore > sinceMillis && notBefore <= now) || released(s, generation);
        });
    }

    /** Refused for the secret (401/403), then the secret changed or another upload got through: tried now. */
    private boolean released(State s, long generation) {
        return s.refused && forTheSecret(s.status) && (s.lastFailureMillis < lastSuccessMillis || s.secretGeneration != generation);
    }

    /** A refusal that a new secret or another upload's success releases before its wait ends. */
    static boolean forTheSecret(int status) {
        return status == 401 || status == 403;
    }

    /** Whether the tar looks complete: unchanged since the previous poll, or on first sight untouched for the settle time. */
    public boolean stable(String id, long size, long mtimeMillis) {
        boolean settled = clock.getAsLong() - mtimeMillis >= settle.toMillis();
        State s = states.get(id);
        if (s == null && settled) {
            return true; // the common case costs no memory
        }
        s = states.computeIfAbsent(id, k -> new State());
        synchronized (s) {
            boolean unchanged = s.size == size && s.mtimeMillis == mtimeMillis;
            s.size = size;
            s.mtimeMillis = mtimeMillis;
            return unchanged || settled;
        }
    }

    /** Records a failed attempt and returns the wait before the next one. */
    public Duration failed(String id, Duration retryAfter, String error) {
        State s = states.computeIfAbsent(id, k -> new State());
        synchronized (s) {
            note(s, error, false);
            Duration wait = backoff.after(s.failures, retryAfter);
            s.notBeforeMillis = clock.getAsLong() + wait.toMillis();
            return wait;
        }
    }

    /** A permanent failure waits max-delay, for an admin; {@code status} is 0 when the refusal was ours (an unreadable tar). */
    public Duration rejected(String id, String error, int status) {
        State s = states.computeIfAbsent(id, k -> new State());
        synchronized (s) {
            note(s, error, true);
            s.status = status;
            s.secretGeneration = secretGeneration.getAsLong();
            s.notBeforeMillis = clock.getAsLong() + backoff.max().toMillis();
            return backoff.max();
        }
    }

    private void note(State s, String error, boolean refused) {
        if (s.failures++ == 0) {
            s.firstFailureMillis = clock.getAsLong();
        }
        s.lastFailureMillis = clock.getAsLong();
        s.lastError = error;
        s.refused = refused;
        s.status = 0;
    }

    /** How long until the next attempt may start. */
    public Duration remaining(String id) {
        State s = states.get(id);
        return s == null ? Duration.ZERO : Duration.ofMillis(Math.max(0, s.notBeforeMillis - clock.getAsLong()));
    }

    public int failures(String id) {
        State s = states.get(id);
        return s == null ? 0 : s.failures;
    }

    /** Recordings that failed at least once and are not uploaded yet, for a status endpoint. */
    public List<Waiting> snapshot() {
        List<Waiting> out = new ArrayList<>();
        states.forEach((id, s) -> waiting(id, s).ifPresent(out::add));
        return out;
    }

    /** @return recording {@code id}'s failures so far, empty when none failed since the last success */
    public Optional<Waiting> waiting(String id) {
        State s = states.get(id);
        return s == null ? Optional.empty() : waiting(id, s);
    }

    private Optional<Waiting> waiting(String id, State s) {
        synchronized (s) {
            if (s.failures == 0) {
                return Optional.empty();
            }
            long next = released(s, secretGeneration.getAsLong()) ? Math.min(s.notBeforeMillis, clock.getAsLong()) : s.notBeforeMillis;
            return Optional.of(new Waiting(id, s.failures, s.lastError, Instant.ofEpochMilli(s.firstFailureMillis),
                    Instant.ofEpochMilli(next), s.refused, s.status, Instant.ofEpochMilli(s.lastFailureMillis)));
        }
    }

    /** When an upload last got a 2xx since start-up, null if none did. */
    public Instant lastSuccess() {
        long t = lastSuccessMillis;
        return t == 0 ? null : Instant.ofEpochMilli(t);
    }

    /** Uploaded: nothing to remember, and B3LB is taking uploads again. */
    public void succeeded(String id) {
        states.remove(id);
        lastSuccessMillis = clock.getAsLong();
    }

    /** A newer version replaced the one sent: due after the settle time, no failure counted. */
    public void again(String id) {
        State s = states.computeIfAbsent(id, k -> new State());
        s.notBeforeMillis = clock.getAsLong() + settle.toMillis();
    }

    /** The route was (re)started: an admin restarting it expects every marker to be tried now. */
    public void clear() {
        states.clear();
        clearedMillis = clock.getAsLong();
    }

    /** Uploaded or gone: nothing to remember. */
    public void forget(String id) {
        states.remove(id);
    }
}
