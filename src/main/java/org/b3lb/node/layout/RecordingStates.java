package org.b3lb.node.layout;

import java.time.Instant;
import java.util.Optional;

/**
 * What the upload route knows about one pending recording, for {@code b3lb-node status}. The
 * upload route binds an implementation under {@link #BEAN_NAME}; without one, status shows
 * "unknown" for these fields. Implementations must be cheap and thread-safe: status asks from
 * the management server's worker thread while uploads run.
 */
public interface RecordingStates {

    /** The Camel registry name the status endpoint looks the upload route's state up by. */
    String BEAN_NAME = "recordingStates";

    /** @return the state of recording {@code id}, empty when the route has not tried it yet */
    Optional<State> of(String id);

    /**
     * @param attempts    upload attempts so far (0: not tried yet)
     * @param lastError   the last failure as one line (e.g. "HTTP 401 Unauthorized"), null if none
     * @param nextAttempt when the route tries again, null if not scheduled (e.g. uploading now)
     */
    record State(int attempts, String lastError, Instant nextAttempt) {
    }
}
