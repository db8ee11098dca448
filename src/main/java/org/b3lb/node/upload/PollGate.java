package org.b3lb.node.upload;

import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.OptimizedFileFilter;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.layout.RecordingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file consumer's poll strategy: lets a poll list the recording directory only when the
 * listing can find work, that is when the route has room for a batch and the directory changed
 * (its mtime), a waiting recording became due, the last poll left work behind, or five minutes
 * passed, and never while uploads are paused ({@link UploadPause}) or the directory cannot be read
 * ({@link MarkerAudit}). Hand-written because Camel's file consumer lists the whole directory at every poll, and
 * uploaded tars stay in it until the retention: an idle node with thousands of them paid that
 * listing every poll-delay, and a drain of 100,000 paid it once per handful of uploads.
 *
 * <p>Also the consumer's filter: of the markers {@link MarkerAudit#list} offers, one becomes an
 * exchange only when its recording is not backing off (by name, before Camel builds a
 * {@code GenericFile}) and its tar has stopped changing. A marker without its tar is passed on, so
 * the route can report and clear it.
 */
final class PollGate implements PollingConsumerPollStrategy, OptimizedFileFilter {

    private static final Logger LOG = LoggerFactory.getLogger(PollGate.class);

    /** Directory timestamps are coarse (a kernel tick): an mtime this fresh may hide a later change. */
    static final long TRUST_MTIME_AFTER_MILLIS = 1_000;
    /** Also lists now and then without a visible change (a file system whose mtime lags or lies, e.g. some NFS). */
    static final long LIST_AT_LEAST_EVERY_MILLIS = 300_000;

    private final MarkerAudit audit;
    private final RecordingSchedule schedule;
    private final IntSupplier inFlight;
    private final int batch;
    private final LongSupplier clock;
    private final UploadPause pause;
    private volatile boolean listAgain = true;
    private long listedAtMillis;
    private Object listedKey;
    private long listedMtime;

    /**
     * @param inFlight the route's exchanges now (queued for a worker, running or redelivering)
     * @param batch    the most one poll takes (maxMessagesPerPoll); the gate lists only while at
     *                 most that many are in flight, so the route never holds more than twice it
     */
    PollGate(MarkerAudit audit, RecordingSchedule schedule, IntSupplier inFlight, int batch, LongSupplier clockMillis, UploadPause pause) {
        this.audit = audit;
        this.schedule = schedule;
        this.inFlight = inFlight;
        this.batch = batch;
        this.clock = clockMillis;
        this.pause = pause;
    }

    /** The last listing left something for later (a marker it could not take yet): the next poll lists. */
    void listAgain() {
        listAgain = true;
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
        RecordingFiles r = RecordingFiles.ofMarker(Path.of(file.getAbsoluteFilePath()));
        BasicFileAttributes a = MarkerAudit.lstat(r.tar());
        if (a == null) {
            return true; // missing or unreadable: the route says which, once, to the admin
        }
        if (a.isRegularFile() && !schedule.stable(r.id(), a.size(), a.lastModifiedTime().toMillis())) {
            LOG.debug("{}: {} is still changing, waiting for the next poll", r.id(), r.tar().getFileName());
            listAgain = true; // turned away only for now: the next poll must list
            return false;
        }
        return true;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        if (!audit.dirReadable()) {
            return false;
        }
        if (pause.paused()) {
            listAgain = true; // no new upload while paused (UploadPause); the first poll after it lists
            return false;
        }
        if (inFlight.getAsInt() > batch) {
            listAgain = true; // no room for a batch yet: keep the exchanges bounded, list once there is
            return false;
        }
        long now = clock.getAsLong();
        // null: the audit reports a missing or unreadable directory; listing is the safe answer
        BasicFileAttributes a = MarkerAudit.lstat(audit.dir);
        boolean unchanged = a != null && listedKey != null && key(a).equals(listedKey)
                && a.lastModifiedTime().toMillis() == listedMtime;
        if (!listAgain && unchanged && now - listedAtMillis < LIST_AT_LEAST_EVERY_MILLIS && !schedule.dueSince(listedAtMillis)) {
            return false;
        }
        listAgain = false;
        listedAtMillis = now;
        boolean trusted = a != null && now - a.lastModifiedTime().toMillis() >= TRUST_MTIME_AFTER_MILLIS;
        listedKey = trusted ? key(a) : null;
        listedMtime = trusted ? a.lastModifiedTime().toMillis() : 0;
        audit.listing();
        return true;
    }

    /** The directory's identity: a directory replaced by another (mv) is a change even with the same mtime. */
    private Object key(BasicFileAttributes a) {
        return Objects.requireNonNullElse(a.fileKey(), audit.dir);
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        if (polledMessages >= batch) {
            listAgain = true; // the listing stopped at the batch: more markers may wait
        }
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        listAgain = true;
        audit.pollFailed(cause);
        return false;
    }

    @Override
    public String toString() {
        return "upload poll gate";
    }
}
