package org.b3lb.node.upload;

import java.time.Duration;

/** Why an attempt got no 2xx; the message is the log line's: what happened and what to do, never the secret. */
public class UploadFailure extends Exception {

    /** The status a refused TLS certificate is kept under: nginx's 495 ("SSL certificate error"); no HTTP answer came. */
    public static final int UNTRUSTED_TLS = 495;

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
        private final boolean changing;

        public Transient(int status, Duration retryAfter, String message) {
            this(status, retryAfter, message, false);
        }

        private Transient(int status, Duration retryAfter, String message, boolean changing) {
            super(status, message);
            this.retryAfter = retryAfter;
            this.changing = changing;
        }

        /** A file is changing: waits on the poll tier (never in the route), where {@link PollGate} checks it. */
        static Transient changing(String message) {
            return new Transient(0, null, message, true);
        }

        public boolean changing() {
            return changing;
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
