package org.b3lb.node.upload;

import java.nio.file.Path;
import org.b3lb.node.layout.RecordingFiles;

/** One recording waiting for upload: {@code <id>.ready} says {@code <id>.tar} beside it is complete. */
public record Recording(RecordingFiles files) {

    /** @throws IllegalArgumentException when the name is not {@code <id>.ready} with an id the hook could have written */
    public static Recording ofMarker(Path marker) {
        RecordingFiles files = RecordingFiles.ofMarker(marker);
        if (files == null) {
            throw new IllegalArgumentException("not a <id>.ready marker: " + RecordingFiles.printable(marker.getFileName().toString()));
        }
        return new Recording(files);
    }

    public String id() {
        return files.id();
    }

    public Path marker() {
        return files.marker();
    }

    public Path tar() {
        return files.tar();
    }

    /** {@code <id>.meta.xml}: sent beside the tar under {@code b3lb.protocol=b3lb}. */
    public Path meta() {
        return files.meta();
    }

    /** The name the B3LB server sees in the multipart part. */
    public String fileName() {
        return files.tar().getFileName().toString();
    }
}
