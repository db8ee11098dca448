package org.b3lb.node.upload;

import java.nio.file.Path;

/** One recording waiting for upload: {@code <id>.ready} says {@code <id>.tar} beside it is complete. */
public record Recording(String id, Path marker, Path tar) {

    public static final String MARKER_SUFFIX = ".ready";
    public static final String TAR_SUFFIX = ".tar";

    public static Recording ofMarker(Path marker) {
        String name = marker.getFileName().toString();
        if (!name.endsWith(MARKER_SUFFIX) || name.length() == MARKER_SUFFIX.length()) {
            throw new IllegalArgumentException("not a <id>.ready marker: " + marker);
        }
        String id = name.substring(0, name.length() - MARKER_SUFFIX.length());
        return new Recording(id, marker, marker.resolveSibling(id + TAR_SUFFIX));
    }

    /** The name the B3LB server sees in the multipart part. */
    public String fileName() {
        return id + TAR_SUFFIX;
    }
}
