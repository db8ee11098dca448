package org.b3lb.node.upload;

import java.time.Instant;

/** A recording that failed at least once: which, why, since when, until when; what health and status show. */
public record Waiting(String id, int failures, String lastError, Instant firstFailure, Instant nextAttempt, boolean refused,
                      int status, Instant lastFailure) {

    /**
     * B3LB said no to this node itself (secret, endpoint), or its TLS certificate is not trusted:
     * every upload fails until an admin acts.
     */
    public boolean refusedByB3lb() {
        return refused && (status == 401 || status == 403 || status == 404 || status == UploadFailure.UNTRUSTED_TLS);
    }
}
