package org.b3lb.node.upload;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-recording memory between polls: when the next attempt may start, how many attempts in a
 * row failed (so the backoff keeps growing across polls), and what the tar looked like at the
 * previous poll (so a tar that is still growing is not sent). Kept in memory on purpose: after a
 * restart every marker is eligible at once, which is what an admin restarting expects.
 */
public final class RecordingSchedule {

    private static final class State {
        long notBeforeMillis;
        int failures;
        long size = -1;
        long mtimeMillis = -1;
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Backoff backoff;
    private final Duration settle;
    private final LongSupplier clock;

    /**
     * @param settle how long a tar must have been left alone to be sent on first sight (the poll delay)
     */
    public RecordingSchedule(Backoff backoff, Duration settle, LongSupplier clockMillis) {
        this.backoff = backoff;
        this.settle = settle;
        this.clock = clockMillis;
    }

    /** False while the recording's backoff runs. */
    public boolean due(String id) {
        State s = states.get(id);
        return s == null || clock.getAsLong() >= s.notBeforeMillis;
    }

    /**
     * Remembers the tar's size and mtime and tells whether it looks complete: unchanged since the
     * previous poll, or untouched for longer than the settle time when seen for the first time.
     */
    public boolean stable(String id, long size, long mtimeMillis) {
        State s = states.computeIfAbsent(id, k -> new State());
        synchronized (s) {
            boolean unchanged = s.size == size && s.mtimeMillis == mtimeMillis;
            boolean settled = clock.getAsLong() - mtimeMillis >= settle.toMillis();
            s.size = size;
            s.mtimeMillis = mtimeMillis;
            return unchanged || settled;
        }
    }

    /** Records a failed attempt and returns the wait before the next one. */
    public Duration failed(String id, Duration retryAfter) {
        State s = states.computeIfAbsent(id, k -> new State());
        synchronized (s) {
            s.failures++;
            Duration wait = backoff.after(s.failures, retryAfter);
            s.notBeforeMillis = clock.getAsLong() + wait.toMillis();
            return wait;
        }
    }

    /** A permanent failure waits max-delay: an admin has to fix something first. */
    public Duration rejected(String id) {
        State s = states.computeIfAbsent(id, k -> new State());
        synchronized (s) {
            s.failures++;
            s.notBeforeMillis = clock.getAsLong() + backoff.max().toMillis();
            return backoff.max();
        }
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

    /** The route was (re)started: an admin restarting it expects every marker to be tried now. */
    public void clear() {
        states.clear();
    }

    /** Uploaded or gone: nothing to remember. */
    public void forget(String id) {
        states.remove(id);
    }
}
