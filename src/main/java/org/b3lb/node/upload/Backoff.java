package org.b3lb.node.upload;

import java.time.Duration;

/**
 * initial-delay, doubling per failure in a row, capped by max-delay: one backoff for the in-route
 * redeliveries and the poll tier, so a recording that keeps failing does not restart at 1 s per poll.
 */
public record Backoff(Duration initial, Duration max) {

    /**
     * @param failures   consecutive failures of this recording so far, at least 1
     * @param retryAfter what the server asked for (Retry-After), or null
     * @return how long to wait before the next attempt
     */
    public Duration after(int failures, Duration retryAfter) {
        long maxMillis = max.toMillis();
        long d = initial.toMillis();
        for (int i = 1; i < failures && d < maxMillis; i++) {
            d *= 2;
        }
        if (retryAfter != null) {
            // the server knows when it will be back; waiting less only earns another 503
            d = Math.max(d, retryAfter.compareTo(max) >= 0 ? maxMillis : retryAfter.toMillis()); // no toMillis overflow
        }
        return Duration.ofMillis(Math.min(d, maxMillis));
    }
}
