package org.b3lb.node.layout;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The names in the recording directory, the one place that spells them: the push hook
 * (src/main/bbb/b3lb-push-hook.rb) writes them, the upload route, the cleanup, the disk guard and
 * the status read them. HookLayoutMirrorTest holds the hook's Ruby constants to these.
 *
 * <ul>
 * <li>{@code <id>.tar}: the recording, written by the hook (renamed into place whole);</li>
 * <li>{@code <id>.meta.xml}: its metadata.xml (b3lb protocol only);</li>
 * <li>{@code <id>.ready}: the marker, written last by the hook: "send this tar"; under the b3lb
 *     protocol its first line is B3LB's nonce;</li>
 * <li>{@code <id>.uploaded}: the evidence, written by the upload route after a 2xx for exactly the
 *     tar it sent (see {@link Evidence}); the only thing that lets a cleanup delete a tar;</li>
 * <li>{@code .<id>.lock}: the hook's lock, one hook run per id at a time;</li>
 * <li>{@code .<id><suffix>.<tag>.tmp}: a file being written, unique per writer (the hook's pid).</li>
 * </ul>
 * Hidden names (a leading dot) are never recordings: the file consumer and the cleanup skip them.
 */
public final class RecordingLayout {

    public static final String MARKER = ".ready";
    public static final String TAR = ".tar";
    public static final String META = ".meta.xml";
    public static final String EVIDENCE = ".uploaded";
    public static final String LOCK = ".lock";
    public static final String TMP = ".tmp";
    /**
     * The longest id the hook takes. BBB's ids are 54 characters (sha1, dash, epoch ms); the
     * longest derived name, {@code .<id>.meta.xml.<pid>.tmp}, stays under Linux's 255-byte NAME_MAX.
     */
    public static final int MAX_ID_LENGTH = 200;

    private RecordingLayout() {
    }

    /**
     * The hook's rule (VALID_ID and MAX_ID_LENGTH in b3lb-push-hook.rb): a letter or digit, then
     * letters, digits, {@code .}, {@code _} and {@code -}, at most {@link #MAX_ID_LENGTH} long. BBB
     * record ids fit with room to spare. Names with spaces or a leading dot, dash or underscore
     * (rsync and editor temp files, hidden files) are never ours. A loop, not a regex: it runs for
     * every entry of a directory that can hold 100,000.
     */
    public static boolean validId(CharSequence id) {
        int n = id.length();
        return n > 0 && n <= MAX_ID_LENGTH && validIdPrefix(id, n);
    }

    /** @param n at least 1: both callers count the empty name out first */
    private static boolean validIdPrefix(CharSequence s, int n) {
        char first = s.charAt(0);
        if (first == '-' || first == '_' || first == '.') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            // below 128 isLetterOrDigit is exactly a-z, A-Z, 0-9
            if (c >= 128 || !(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** @return the id of a file named {@code <id><suffix>} with a valid id, or null for any other name */
    public static String idOf(String fileName, String suffix) {
        int n = fileName.length() - suffix.length();
        if (n <= 0 || n > MAX_ID_LENGTH || !fileName.endsWith(suffix) || !validIdPrefix(fileName, n)) {
            return null;
        }
        return fileName.substring(0, n);
    }

    /** The name a writer uses for {@code <id><suffix>} while writing it: hidden, and unique per {@code tag}. */
    public static String tempName(String id, String suffix, String tag) {
        return "." + id + suffix + "." + tag + TMP;
    }

    /** The hook's lock file for one id. */
    public static String lockName(String id) {
        return "." + id + LOCK;
    }

    /**
     * @return the id whose temp file or lock this name is ({@code .<id><suffix>.<tag>.tmp} or
     *         {@code .<id>.lock}), or null: what a cleanup may remove once the writer is gone
     */
    public static String leftoverOwner(String fileName) {
        if (fileName.length() < 2 || fileName.charAt(0) != '.') {
            return null;
        }
        if (fileName.endsWith(LOCK)) {
            return idOf(fileName.substring(1), LOCK);
        }
        if (!fileName.endsWith(TMP)) {
            return null;
        }
        String rest = fileName.substring(1, fileName.length() - TMP.length());
        int tagDot = rest.lastIndexOf('.');
        if (tagDot <= 0) {
            return null;
        }
        String named = rest.substring(0, tagDot);
        for (String suffix : new String[] {TAR, META, MARKER, EVIDENCE}) {
            String id = idOf(named, suffix);
            if (id != null) {
                return id;
            }
        }
        return null;
    }

    /**
     * Why the service cannot list recording directory {@code dir}, in words that follow its path
     * ("recording directory /x " + this), or null when it can. Writing there is the caller's
     * concern: status and the upload route's pause need only read.
     */
    public static String dirProblem(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Files.exists(dir) ? "is not a directory: point b3lb.recording-dir at the directory the hook writes to"
                    : "does not exist: create it or fix b3lb.recording-dir";
        }
        return Files.isReadable(dir) && Files.isExecutable(dir) ? null : "cannot be read by the service's user: fix its permissions";
    }
}
