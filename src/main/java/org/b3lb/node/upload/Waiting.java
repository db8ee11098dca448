package org.b3lb.node.upload;

import java.time.Instant;

/** What a status page shows for a recording that is waiting: which, why, since when, until when. */
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
