package org.b3lb.node.upload;

import java.time.Duration;

/**
 * Exponential backoff shared by the in-route redeliveries and the next-attempt time kept between
 * polls, so a recording that keeps failing slows down steadily instead of restarting at 1 s on
 * every poll: initial-delay, doubling per consecutive failure, capped by max-delay.
 */
public final class Backoff {

    private final long initialMillis;
    private final long maxMillis;

    public Backoff(Duration initial, Duration max) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
    }

    /**
     * @param failures   consecutive failures of this recording so far, at least 1
     * @param retryAfter what the server asked for (Retry-After), or null
     * @return how long to wait before the next attempt
     */
    public Duration after(int failures, Duration retryAfter) {
        long d = initialMillis;
        for (int i = 1; i < failures && d < maxMillis; i++) {
            d *= 2;
        }
        if (retryAfter != null) {
            // the server knows when it will be back; waiting less only earns another 503
            d = Math.max(d, retryAfter.compareTo(max()) >= 0 ? maxMillis : retryAfter.toMillis()); // no toMillis overflow
        }
        return Duration.ofMillis(Math.min(d, maxMillis));
    }

    public Duration max() {
        return Duration.ofMillis(maxMillis);
    }
}
