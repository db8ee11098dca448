package org.b3lb.node.upload;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, at each poll, which markers are handed to the route: only {@code <id>.ready} files
 * whose recording is not backing off, and whose tar has stopped changing. A marker without its
 * tar is passed on, so the route can report and clear it.
 */
public final class ReadyMarkerFilter implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyMarkerFilter.class);

    private final RecordingSchedule schedule;

    public ReadyMarkerFilter(RecordingSchedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        String name = file.getFileNameOnly();
        if (file.isDirectory() || !name.endsWith(Recording.MARKER_SUFFIX) || name.equals(Recording.MARKER_SUFFIX)) {
            return false;
        }
        Recording r = Recording.ofMarker(Path.of(file.getAbsoluteFilePath()));
        if (!schedule.due(r.id())) {
            return false;
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(r.tar(), BasicFileAttributes.class);
        } catch (IOException e) {
            return true; // missing or unreadable: the route says which, once, to the admin
        }
        if (!schedule.stable(r.id(), a.size(), a.lastModifiedTime().toMillis())) {
            LOG.debug("{}: {} is still changing, waiting for the next poll", r.id(), r.tar().getFileName());
            return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "ready-marker filter";
    }
}
