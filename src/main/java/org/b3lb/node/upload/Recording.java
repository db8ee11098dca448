package org.b3lb.node.upload;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** One recording waiting for upload: {@code <id>.ready} says {@code <id>.tar} beside it is complete. */
public record Recording(String id, Path marker, Path tar) {

    public static final String MARKER_SUFFIX = ".ready";
    public static final String TAR_SUFFIX = ".tar";
    /** The push hook's rule (VALID_ID in b3lb-push-hook.rb): every id it writes passes, nothing else does. */
    private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public static Recording ofMarker(Path marker) {
        String name = marker.getFileName().toString();
        if (!name.endsWith(MARKER_SUFFIX) || name.length() == MARKER_SUFFIX.length()) {
            throw new IllegalArgumentException("not a <id>.ready marker: " + printable(name));
        }
        String id = name.substring(0, name.length() - MARKER_SUFFIX.length());
        return new Recording(id, marker, marker.resolveSibling(id + TAR_SUFFIX));
    }

    /** Whether the marker's name is {@code <id>.ready} with an id the hook could have written. */
    public static boolean validMarkerName(String name) {
        return name.endsWith(MARKER_SUFFIX) && VALID_ID.matcher(name.substring(0, name.length() - MARKER_SUFFIX.length())).matches();
    }

    /** A file name safe for one log line: control characters (a newline would forge a line) escaped. */
    public static String printable(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029' || c == '\\') {
                sb.append(c == '\\' ? "\\\\" : String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The name the B3LB server sees in the multipart part. */
    public String fileName() {
        return id + TAR_SUFFIX;
    }
}
