package org.b3lb.node.upload;

import java.util.concurrent.atomic.AtomicLong;
import org.b3lb.node.layout.RecordingFiles;

/**
 * One attempt of one recording as the connection sees it: bytes put on the wire (for the idle
 * watchdog and progress lines), the status line that came back (a 2xx means stored, even if the
 * rest of the answer never arrives), and how to abort the connection carrying it.
 */
public final class UploadProgress {

    private final RecordingFiles recording;
    private final long total;
    private final long startNanos = System.nanoTime();
    private final AtomicLong tarSent = new AtomicLong();
    private volatile long lastProgressNanos = startNanos;
    volatile long lastReportNanos = startNanos;
    private volatile int status;
    private volatile Runnable abort = () -> { };
    private volatile boolean aborted;

    /** @param total the sizes of the files sent (under b3lb the tar and its metadata.xml); the framing is not counted */
    public UploadProgress(RecordingFiles recording, long total) {
        this.recording = recording;
        this.total = total;
    }

    /** Framing bytes moved: progress for the idle watchdog, not counted anywhere. */
    void moved() {
        lastProgressNanos = System.nanoTime();
    }

    /** The body is written again (a repeated request): count its bytes from zero. */
    void restart() {
        tarSent.set(0);
    }

    void addTar(long bytes) {
        tarSent.addAndGet(bytes);
        moved();
    }

    /** Called when a status line arrives, so waiting for the server's verdict counts from then. */
    void answered(int code) {
        status = code;
        lastProgressNanos = System.nanoTime();
    }

    void attach(Runnable abortConnection) {
        abort = abortConnection;
    }

    void abort() {
        aborted = true;
        abort.run();
    }

    /** The watchdog or a stop closed the connection: a write held by the cap need not wait for its turn. */
    boolean aborted() {
        return aborted;
    }

    /** The final status line received, 0 while none has arrived. */
    public int status() {
        return status;
    }

    public RecordingFiles recording() {
        return recording;
    }

    public long total() {
        return total;
    }

    public long tarSent() {
        return tarSent.get();
    }

    public long startNanos() {
        return startNanos;
    }

    public long idleNanos(long now) {
        return now - lastProgressNanos;
    }
}
