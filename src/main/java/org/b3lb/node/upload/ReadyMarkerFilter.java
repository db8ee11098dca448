package org.b3lb.node.upload;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.IntSupplier;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, at each poll, which markers become exchanges: only while fewer than the route's bound
 * are in flight (so a backlog of 100,000 markers costs its listing, never 100,000 exchanges),
 * only {@code <id>.ready} with an id the hook could have written, only when the recording is not
 * backing off (an in-memory check, before any file is looked at), and only when its tar has
 * stopped changing. A marker without its tar is passed on, so the route can report and clear it.
 */
public final class ReadyMarkerFilter implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyMarkerFilter.class);

    private final RecordingSchedule schedule;
    private final IntSupplier inFlight;
    private final int bound;
    private final MarkerAudit audit;

    /**
     * @param inFlight exchanges of the route now (queued for a worker, running or redelivering)
     * @param bound    no marker is taken while that many are in flight
     */
    public ReadyMarkerFilter(RecordingSchedule schedule, IntSupplier inFlight, int bound, MarkerAudit audit) {
        this.schedule = schedule;
        this.inFlight = inFlight;
        this.bound = bound;
        this.audit = audit;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (inFlight.getAsInt() >= bound) {
            return false;
        }
        String name = file.getFileNameOnly();
        if (file.isDirectory() || !name.endsWith(Recording.MARKER_SUFFIX)) {
            return false;
        }
        if (!Recording.validMarkerName(name)) {
            audit.skipped(name, "its id breaks the hook's rule (letters, digits, '.', '_' and '-', not starting with '.', '_' or '-')");
            return false;
        }
        String id = name.substring(0, name.length() - Recording.MARKER_SUFFIX.length());
        if (!schedule.due(id)) {
            return false;
        }
        Recording r;
        try {
            r = Recording.ofMarker(Path.of(file.getAbsoluteFilePath()));
        } catch (InvalidPathException e) {
            // cannot happen for a valid id; kept so one odd name can never stop the poll
            audit.skipped(name, "the JVM cannot map its name to a path (" + e.getReason() + ")");
            return false;
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(r.tar(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return true; // missing or unreadable: the route says which, once, to the admin
        }
        if (a.isRegularFile() && !schedule.stable(id, a.size(), a.lastModifiedTime().toMillis())) {
            LOG.debug("{}: {} is still changing, waiting for the next poll", id, r.tar().getFileName());
            return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "ready-marker filter";
    }
}
