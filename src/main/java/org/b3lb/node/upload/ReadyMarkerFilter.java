package org.b3lb.node.upload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.OptimizedFileFilter;
import org.b3lb.node.layout.RecordingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, at each poll, which markers become exchanges: only {@code <id>.ready} with an id the
 * hook could have written, only when the recording is not backing off (an in-memory check), and
 * only when its tar has stopped changing. A marker without its tar is passed on, so the route can
 * report and clear it. The name-only test ({@link OptimizedFileFilter}) turns every other entry
 * away before Camel builds a {@code GenericFile} for it: uploaded tars stay in the directory until
 * the retention, and with 100,000 of them that object per entry and poll was most of a drain's cost.
 */
public final class ReadyMarkerFilter implements OptimizedFileFilter {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyMarkerFilter.class);

    private final RecordingSchedule schedule;
    private final MarkerAudit audit;
    private final Runnable listAgain;

    /** @param listAgain told when a marker was turned away only for now (a tar still changing): the next poll must list */
    public ReadyMarkerFilter(RecordingSchedule schedule, MarkerAudit audit, Runnable listAgain) {
        this.schedule = schedule;
        this.audit = audit;
        this.listAgain = listAgain;
    }

    /** @return false for a name that is no upload now, null when the tar must be looked at */
    @Override
    public Boolean accept(String name) {
        if (!name.endsWith(RecordingLayout.MARKER)) {
            return Boolean.FALSE;
        }
        if (RecordingLayout.idOf(name, RecordingLayout.MARKER) == null) {
            audit.skipped(name, "its id breaks the hook's rule (letters, digits, '.', '_' and '-', not starting with '.', '_' or '-')");
            return Boolean.FALSE;
        }
        return schedule.due(name.substring(0, name.length() - RecordingLayout.MARKER.length())) ? null : Boolean.FALSE;
    }

    @Override
    @SuppressWarnings("rawtypes") // OptimizedFileFilter extends the raw GenericFileFilter
    public boolean accept(GenericFile file) {
        String name = file.getFileNameOnly();
        Boolean byName = accept(name);
        if (byName != null) {
            return byName;
        }
        if (file.isDirectory()) {
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
        if (a.isRegularFile() && !schedule.stable(r.id(), a.size(), a.lastModifiedTime().toMillis())) {
            LOG.debug("{}: {} is still changing, waiting for the next poll", r.id(), r.tar().getFileName());
            listAgain.run();
            return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "ready-marker filter";
    }
}
