package org.b3lb.node.upload;

import java.time.Duration;

/**
 * Why an attempt did not get a 2xx. The message is meant for the log line: it names the
 * recording, what happened and what to do; it never carries the secret.
 */
public class UploadFailure extends Exception {

    private final int status;

    UploadFailure(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** Worth retrying soon: the network or the server is having a bad moment (timeouts, 408, 429, 5xx). */
    public static final class Transient extends UploadFailure {
        private final Duration retryAfter;

        public Transient(int status, Duration retryAfter, String message) {
            super(status, message);
            this.retryAfter = retryAfter;
        }

        /** The server's Retry-After, or null. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /** Retrying soon won't help until an admin fixes something (secret, endpoint, permissions). */
    public static final class Permanent extends UploadFailure {
        public Permanent(int status, String message) {
            super(status, message);
        }
    }
}
