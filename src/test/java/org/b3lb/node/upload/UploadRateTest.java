package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cap on the real write path (files, {@link MultipartTarEntity}, {@link UploadRate}) in
 * virtual time: every write is stamped with the clock the bucket reads, so any 1 s window of a
 * long transfer can be summed exactly, without waiting and without a loaded machine's jitter.
 */
class UploadRateTest {

    static final long SECOND = 1_000_000_000L;
    static final long CAP = 4L << 20;

    @TempDir
    Path dir;
    final List<SentFiles> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(SentFiles::close);
    }

    /** One write as the socket saw it: when, how many bytes, by which upload. */
    record Write(long at, int bytes, String by) {
    }

    /**
     * Time for several threads that moves only while all of them sleep, straight to the earliest
     * wake-up: what real threads would do on an idle machine with exact timers.
     */
    static final class VirtualTime implements UploadRate.Clock {
        private long now = 7 * SECOND;
        private int running;
        private final PriorityQueue<Long> wakeUps = new PriorityQueue<>();
        private long stallAt = Long.MAX_VALUE;
        private long stall;

        /** The first wake-up at or after {@code at} comes {@code nanos} late, as in a stalled JVM: every writer is late. */
        synchronized void stall(long at, long nanos) {
            stallAt = at;
            stall = nanos;
        }

        synchronized void join() {
            running++;
        }

        synchronized void leave() {
            running--;
            notifyAll();
        }

        @Override
        public synchronized long nanoTime() {
            return now;
        }

        @Override
        public synchronized void sleep(long nanos) throws InterruptedException {
            assertThat(nanos).isPositive().isLessThanOrEqualTo(UploadRate.STEP_NANOS);
            long wake = now + nanos;
            wakeUps.add(wake);
            running--;
            notifyAll();
            while (running > 0 || wakeUps.peek() != wake) {
                wait();
            }
            wakeUps.poll();
            now = Math.max(now, wake);
            if (now >= stallAt) {
                now += stall;
                stallAt = Long.MAX_VALUE;
            }
            running++;
        }
    }

    /** The socket: remembers each write with the virtual time it happened at. */
    static OutputStream stamping(VirtualTime time, List<Write> writes, String by) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (writes) {
                    writes.add(new Write(time.nanoTime(), len, by));
                }
            }
        };
    }

    private MultipartTarEntity entity(String id, int size, UploadRate rate) throws Exception {
        Recordings.ready(dir, id, size);
        RecordingFiles r = RecordingFiles.ofMarker(dir.resolve(id + ".ready"));
        SentFiles files = SentFiles.open(r, false);
        opened.add(files);
        return MultipartTarEntity.of(r, files, "recording", rate);
    }

    /** Bytes written in [from, from + 1 s), in total or by one upload (by null: all). */
    static long window(List<Write> writes, long from, String by) {
        return writes.stream().filter(w -> w.at() >= from && w.at() < from + SECOND && (by == null || by.equals(w.by())))
                .mapToLong(Write::bytes).sum();
    }

    /** Every 1 s window that lies inside the transfer, one starting at each write. */
    static List<Long> windowStarts(List<Write> writes) {
        long last = writes.get(writes.size() - 1).at();
        return writes.stream().map(Write::at).filter(t -> t + SECOND <= last).distinct().toList();
    }

    @Test
    void everySecondOfALongTransferIsWithinTenPercentOfTheCap() throws Exception {
        VirtualTime time = new VirtualTime();
        time.join();
        UploadRate rate = new UploadRate(CAP, time);
        MultipartTarEntity e = entity("long", 40 << 20, rate);
        List<Write> writes = new ArrayList<>();
        long start = time.nanoTime();

        e.writeTo(stamping(time, writes, "long"));

        assertThat(writes.stream().mapToLong(Write::bytes).sum()).isEqualTo(e.getContentLength());
        // 40 MiB at 4 MiB/s: 10 s, less the one burst the bucket starts with
        assertThat(time.nanoTime() - start).isBetween(10 * SECOND - 2 * UploadRate.BURST_NANOS, 10 * SECOND);
        assertThat(writes).allMatch(w -> w.bytes() <= rate.chunk());
        List<Long> starts = windowStarts(writes);
        assertThat(starts).hasSizeGreaterThan(150);
        for (long from : starts) {
            assertThat(window(writes, from, null)).as("bytes in the second from %d ns", from - start)
                    .isBetween((long) (0.9 * CAP), (long) (1.1 * CAP));
        }
    }

    /** Writes each upload on its own thread, as the route's workers do, and returns every write. */
    private List<Write> concurrently(VirtualTime time, UploadRate rate, String[] ids, int size) throws Exception {
        List<Write> writes = new ArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (String id : ids) {
            MultipartTarEntity upload = entity(id, size, rate);
            time.join();
            threads.add(new Thread(() -> {
                try {
                    upload.writeTo(stamping(time, writes, id));
                } catch (Throwable t) {
                    failed.set(t);
                } finally {
                    time.leave();
                }
            }, "writer-" + id));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(failed.get()).isNull();
        return writes;
    }

    @Test
    void twoConcurrentUploadsShareTheCapEvenlyAndTogetherStayWithinIt() throws Exception {
        VirtualTime time = new VirtualTime();
        UploadRate rate = new UploadRate(CAP, time);
        long start = time.nanoTime();
        List<Write> writes = concurrently(time, rate, new String[] {"a", "b"}, 12 << 20);

        // 24 MiB together at 4 MiB/s: 6 s, as if one upload had sent both
        assertThat(time.nanoTime() - start).isBetween(6 * SECOND - 2 * UploadRate.BURST_NANOS, 6 * SECOND);
        long bothRunUntil = Math.min(last(writes, "a"), last(writes, "b"));
        List<Long> starts = windowStarts(writes).stream().filter(t -> t + SECOND <= bothRunUntil).toList();
        assertThat(starts).hasSizeGreaterThan(80);
        for (long from : starts) {
            assertThat(window(writes, from, null)).as("bytes in the second from %d ns", from - start)
                    .isBetween((long) (0.9 * CAP), (long) (1.1 * CAP));
            assertThat(window(writes, from, "a")).as("a's share of the second from %d ns", from - start)
                    .isBetween((long) (0.4 * CAP), (long) (0.6 * CAP));
        }
    }

    @Test
    void afterAStallTheLateUploadsDoNotAllWriteAtOnce() throws Exception {
        VirtualTime time = new VirtualTime();
        UploadRate rate = new UploadRate(CAP, time);
        long start = time.nanoTime();
        time.stall(start + 2 * SECOND, 300_000_000L);
        List<Write> writes = concurrently(time, rate, new String[] {"s1", "s2", "s3", "s4"}, 6 << 20);

        long end = Math.min(Math.min(last(writes, "s1"), last(writes, "s2")), Math.min(last(writes, "s3"), last(writes, "s4")));
        List<Long> starts = windowStarts(writes).stream().filter(t -> t + SECOND <= end).toList();
        assertThat(starts).hasSizeGreaterThan(50);
        for (long from : starts) {
            // four turns missed by the stall, sent together with a fresh burst, would make 1.2 times the cap here
            assertThat(window(writes, from, null)).as("bytes in the second from %d ns", from - start)
                    .isLessThanOrEqualTo((long) (1.1 * CAP));
        }
    }

    static long last(List<Write> writes, String by) {
        return writes.stream().filter(w -> w.by().equals(by)).mapToLong(Write::at).max().orElseThrow();
    }

    @Test
    void aWaitEndsWhenTheConnectionIsAbortedOrTheThreadInterrupted() throws Exception {
        VirtualTime time = new VirtualTime();
        time.join();
        UploadRate rate = new UploadRate(CAP, time);
        rate.reserve(10 * CAP); // ten seconds of debt: the next write would wait that long
        long before = time.nanoTime();
        int[] asked = {0};
        assertThatThrownBy(() -> rate.acquire(1, () -> ++asked[0] > 2)).isInstanceOf(IOException.class)
                .hasMessageContaining("aborted");
        // it looked between steps, not only after the ten seconds
        assertThat(time.nanoTime() - before).isLessThanOrEqualTo(2 * UploadRate.STEP_NANOS);

        UploadRate real = new UploadRate(CAP);
        real.reserve(10 * CAP);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> real.acquire(1, () -> false)).isInstanceOf(InterruptedIOException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aStoppedUploadAbortsItsWaitThroughItsProgress() throws Exception {
        VirtualTime time = new VirtualTime();
        time.join();
        UploadRate rate = new UploadRate(CAP, time);
        rate.reserve(10 * CAP);
        Recordings.ready(dir, "stopped", 1 << 20);
        RecordingFiles r = RecordingFiles.ofMarker(dir.resolve("stopped.ready"));
        try (SentFiles files = SentFiles.open(r, false)) {
            MultipartTarEntity e = MultipartTarEntity.of(r, files, "recording", rate);
            e.progress().abort(); // the watchdog's or a stop's abort, before the write got its turn
            assertThatThrownBy(() -> e.writeTo(OutputStream.nullOutputStream()))
                    .isInstanceOf(IOException.class).hasMessageContaining("b3lb.upload.max-rate");
        }
    }
}
