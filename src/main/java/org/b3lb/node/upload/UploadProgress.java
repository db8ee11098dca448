package org.b3lb.node.upload;

import java.util.concurrent.atomic.AtomicLong;

/** Bytes of one attempt put on the wire, and when the last of them went, for the idle watchdog and progress lines. */
public final class UploadProgress {

    private final Recording recording;
    private final long total;
    private final long startNanos = System.nanoTime();
    private final AtomicLong sent = new AtomicLong();
    private volatile long lastProgressNanos = startNanos;
    volatile long lastReportNanos = startNanos;

    public UploadProgress(Recording recording, long total) {
        this.recording = recording;
        this.total = total;
    }

    void add(long bytes) {
        sent.addAndGet(bytes);
        lastProgressNanos = System.nanoTime();
    }

    /** Called when an answer arrives, so waiting for the server's verdict counts from the last byte. */
    void touch() {
        lastProgressNanos = System.nanoTime();
    }

    public Recording recording() {
        return recording;
    }

    public long total() {
        return total;
    }

    public long sent() {
        return sent.get();
    }

    public long startNanos() {
        return startNanos;
    }

    public long idleNanos(long now) {
        return now - lastProgressNanos;
    }
}
