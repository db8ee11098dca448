package org.b3lb.node.layout;

import java.nio.file.Path;

/** The files of one recording in the recording directory; see {@link RecordingLayout} for what each is. */
public record RecordingFiles(Path dir, String id) {

    public RecordingFiles {
        if (!RecordingLayout.validId(id)) {
            throw new IllegalArgumentException("not a recording id: " + printable(id));
        }
    }

    /** The recording a marker belongs to, or null when its name is not {@code <id>.ready} with a valid id. */
    public static RecordingFiles ofMarker(Path marker) {
        String id = RecordingLayout.idOf(marker.getFileName().toString(), RecordingLayout.MARKER);
        return id == null ? null : new RecordingFiles(marker.getParent(), id);
    }

    public Path marker() {
        return dir.resolve(id + RecordingLayout.MARKER);
    }

    public Path tar() {
        return dir.resolve(id + RecordingLayout.TAR);
    }

    public Path meta() {
        return dir.resolve(id + RecordingLayout.META);
    }

    public Path evidence() {
        return dir.resolve(id + RecordingLayout.EVIDENCE);
    }

    public Path lock() {
        return dir.resolve(RecordingLayout.lockName(id));
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
}
