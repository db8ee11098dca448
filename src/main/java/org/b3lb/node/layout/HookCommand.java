package org.b3lb.node.layout;

import java.time.Duration;
import org.b3lb.node.config.Protocol;

/**
 * The command an admin runs to have the push hook pack a recording and write its marker anew, as
 * the package installs the hook: the upload route's error lines and the cleanup's "not uploaded,
 * not marked" lines print the same one. Here and not in upload, so the cleanup and the status
 * need no upload internals.
 */
public final class HookCommand {

    /**
     * The hook renames a tar into place, then writes its marker; a tar without a marker that
     * changed more recently than this may be about to get one (a large tar's fsync under I/O
     * pressure comes between its last write and the rename), so it is not yet counted or adopted
     * as unmarked.
     */
    public static final Duration MARKS_WITHIN = Duration.ofMinutes(10);

    static final String SCRIPTS = "/usr/local/bigbluebutton/core/scripts/";
    static final String HOOK = "b3lb-node-push-hook.rb";

    private HookCommand() {
    }

    /**
     * Under {@code spec} the hook acts from post_archive ({@code -m <id>}); under {@code b3lb} from
     * post_publish, once per published format, and only the presentation format is pushed.
     */
    public static String mark(Protocol protocol, String id) {
        return protocol == Protocol.B3LB
                ? "sudo -u bigbluebutton ruby " + SCRIPTS + "post_publish/" + HOOK + " -m " + id + " -f presentation"
                : "sudo -u bigbluebutton ruby " + SCRIPTS + "post_archive/" + HOOK + " -m " + id;
    }
}
