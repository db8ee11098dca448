package org.b3lb.node.upload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.OptimizedFileFilter;
import org.b3lb.node.layout.RecordingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, at each poll, which of the markers {@link MarkerListing} offers (regular files with a
 * valid id) become exchanges: only when the recording is not backing off, an in-memory check by
 * name ({@link OptimizedFileFilter}) before Camel builds a {@code GenericFile}, and only when its
 * tar has stopped changing. A marker without its tar is passed on, so the route can report and clear it.
 */
public final class ReadyMarkerFilter implements OptimizedFileFilter {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyMarkerFilter.class);

    private final RecordingSchedule schedule;
    private final Runnable listAgain;

    /** @param listAgain told when a marker was turned away only for now (a tar still changing): the next poll must list */
    public ReadyMarkerFilter(RecordingSchedule schedule, Runnable listAgain) {
        this.schedule = schedule;
        this.listAgain = listAgain;
    }

    /** @return false while the recording backs off, null when the tar must be looked at */
    @Override
    public Boolean accept(String name) {
        String id = RecordingLayout.idOf(name, RecordingLayout.MARKER);
        return id != null && schedule.due(id) ? null : Boolean.FALSE;
    }

    @Override
    @SuppressWarnings("rawtypes") // OptimizedFileFilter extends the raw GenericFileFilter
    public boolean accept(GenericFile file) {
        Boolean byName = accept(file.getFileNameOnly());
        if (byName != null) {
            return byName;
        }
        Recording r = Recording.ofMarker(Path.of(file.getAbsoluteFilePath()));
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
