package org.b3lb.node.upload;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code b3lb.upload.max-rate}: one token bucket shared by every upload of the route, so all of
 * them together send at most the cap, as the node's uplink carries live meetings too. Its burst is
 * {@link #BURST_NANOS} of the cap and each write takes at most that much, so any 1 s window holds
 * the cap give or take one burst (5 %), and a writer's progress shows several times a second. Writers are served
 * in the order they asked, one burst at a time, which shares the cap evenly between uploads.
 * Hand-written because neither httpclient5 nor camel-http throttles a request body (Camel's
 * Throttler EIP limits exchanges, not bytes), and Guava's RateLimiter would add a 3 MB jar for one class.
 */
final class UploadRate {

    /** The bucket's size in time: short enough for smooth 1 s windows, long enough for few wake-ups. */
    static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The longest single sleep, so an aborted upload stops waiting soon after its connection closed. */
    static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** Time as the bucket sees it; tests pass a fake one to measure windows without waiting. */
    interface Clock {
        long nanoTime();

        void sleep(long nanos) throws InterruptedException;
    }

    static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    };

    private final long bytesPerSecond;
    private final int chunk;
    private final Clock clock;
    /** When the bytes granted so far are paid for; at most one burst in the past (a full bucket). Guarded by this. */
    private long paidUntil;

    UploadRate(long bytesPerSecond) {
        this(bytesPerSecond, SYSTEM);
    }

    UploadRate(long bytesPerSecond, Clock clock) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("a rate above zero, not " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.clock = clock;
        this.chunk = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytesPerSecond * (double) BURST_NANOS / 1e9));
        this.paidUntil = clock.nanoTime() - BURST_NANOS;
    }

    /** The most bytes one write may carry: one burst. */
    int chunk() {
        return chunk;
    }

    /**
     * Waits until {@code bytes} (at most {@link #chunk()}) may go, in steps of at most
     * {@link #STEP_NANOS}, checking {@code aborted} between them.
     *
     * @throws InterruptedIOException when the thread is interrupted (a forced shutdown)
     * @throws IOException            when {@code aborted} turns true (the watchdog or a stop closed the connection)
     */
    void acquire(long bytes, BooleanSupplier aborted) throws IOException {
        long until = reserve(bytes);
        boolean retook = false;
        while (true) {
            long now = clock.nanoTime();
            if (now >= until) {
                if (retook || now - until <= BURST_NANOS) {
                    return;
                }
                // woke more than a burst after its turn (a stalled JVM, a starved machine): the other waiting uploads
                // are as late, and all of them writing at once would send a burst each; a new turn instead, once
                retook = true;
                until = reserve(bytes);
                continue;
            }
            if (aborted.getAsBoolean()) {
                throw new IOException("upload aborted while held to b3lb.upload.max-rate");
            }
            try {
                clock.sleep(Math.min(until - now, STEP_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while held to b3lb.upload.max-rate");
            }
        }
    }

    /** @return the moment {@code bytes} may go: once the bytes granted before them are paid for */
    synchronized long reserve(long bytes) {
        // unused time beyond one burst is forgotten: a bucket holds no more than a burst
        paidUntil = Math.max(paidUntil, clock.nanoTime() - BURST_NANOS) + bytes * 1_000_000_000L / bytesPerSecond;
        return paidUntil;
    }
}
