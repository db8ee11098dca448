package org.b3lb.node.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU utilisation for {@code b3lb.load.source=cpu} on B3LB's 0..10000 scale, with the arithmetic of
 * B3LB's reporter ({@code scripts/bbb/load/b3lb-load}): idle is the 4th counter of /proc/stat's {@code cpu}
 * line, the total the sum of the first 8 (guest time is inside user), the figure the larger of the last
 * interval's and the last {@value #WINDOW}'s, so a burst shows at once and one quiet interval hides no busy
 * minute. Hand-written: Camel has no /proc/stat reader. The route {@code load-sample} calls {@link #sample()}
 * every 10 s; the load route reads /proc/stat itself when no sample is younger than {@link #STALE_NANOS}
 * (the route stopped), so the balancer never gets a figure frozen in the past.
 */
public final class CpuSampler {

    /** Three missed 10 s periods. */
    static final long STALE_NANOS = 30_000_000_000L;

    /** Intervals averaged for the long figure (B3LB: 6 x 10 s). */
    static final int WINDOW = 6;

    static final int SCALE = 10000;

    /** Counters the sum uses: user nice system idle iowait irq softirq steal. */
    private static final int FIELDS = 8;

    private static final int IDLE = 3;

    private static final Logger LOG = LoggerFactory.getLogger(CpuSampler.class);

    private record Interval(long idle, long total) {
    }

    private final Path procStat;
    private final LongSupplier clock;
    private volatile boolean failing;
    private volatile long lastSampleAt;
    private volatile boolean sampled;
    private final Deque<Interval> window = new ArrayDeque<>(WINDOW);
    private long[] last;
    private int figure = -1;

    public CpuSampler() {
        this(Path.of("/proc/stat"), System::nanoTime);
    }

    CpuSampler(Path procStat, LongSupplier clock) {
        this.procStat = procStat;
        this.clock = clock;
    }

    /** Reads one sample; a failure keeps the last figure and is logged once until a sample works again. */
    public void sample() {
        lastSampleAt = clock.getAsLong();
        sampled = true;
        try (BufferedReader r = Files.newBufferedReader(procStat, StandardCharsets.US_ASCII)) {
            add(r.readLine());
            if (failing) {
                failing = false;
                LOG.info("CPU utilisation from {} is read again", procStat);
            }
        } catch (IOException | IllegalArgumentException e) {
            if (!failing) {
                failing = true;
                LOG.warn("cannot read CPU utilisation from {}: {}; the load endpoint keeps its last figure "
                        + "(503 before the first one); set b3lb.load.source=loadavg if this host has no /proc/stat",
                        procStat, e.getMessage());
            }
        }
    }

    /** @return utilisation in percent (0..100, two decimals), negative before the first sample */
    public double percent() {
        if (!sampled || clock.getAsLong() - lastSampleAt >= STALE_NANOS) {
            // asked before the route's first run, or the route is not running
            sample();
        }
        int f = figure();
        return f < 0 ? -1 : f / 100.0;
    }

    /**
     * Adds one reading, the first line of /proc/stat ({@code cpu  4705 0 1510 82003 ...}).
     *
     * @throws IllegalArgumentException when the line is not an aggregate cpu line with at least
     *                                  the four counters up to idle; the previous figure stays
     */
    synchronized void add(String procStatLine) {
        long[] now = parse(procStatLine);
        if (last == null) {
            // since boot: B3LB's reporter answers this too before it has an interval of its own
            figure = utilisation(now[IDLE], LongStream.of(now).sum());
            last = now;
            return;
        }
        long idle = delta(now, last, IDLE);
        long total = 0;
        for (int i = 0; i < Math.min(now.length, last.length); i++) {
            total += delta(now, last, i);
        }
        last = now;
        if (total <= 0) {
            // no tick passed (or every counter went back): no information, keep the figure
            return;
        }
        if (window.size() == WINDOW) {
            window.removeFirst();
        }
        window.addLast(new Interval(idle, total));
        figure = Math.max(utilisation(idle, total), utilisation(window.stream().mapToLong(Interval::idle).sum(),
                window.stream().mapToLong(Interval::total).sum()));
    }

    /** @return 0..10000, or -1 before the first reading */
    synchronized int figure() {
        return figure;
    }

    /**
     * A counter's growth. Subtraction of longs also gives the right delta when a counter wrapped
     * past its maximum; a counter that went back (the kernel's iowait may) counts as no growth.
     */
    private static long delta(long[] now, long[] before, int i) {
        return Math.max(0, now[i] - before[i]);
    }

    private static int utilisation(long idle, long total) {
        if (total <= 0) {
            return 0;
        }
        long busy = total - Math.min(idle, total);
        // B3LB's int(10000 * (1.0 - idle / total)) in exact arithmetic (its floats make 80 % idle 1999)
        try {
            return (int) (Math.multiplyExact(busy, (long) SCALE) / total);
        } catch (ArithmeticException e) {
            return (int) Math.floor((double) busy / total * SCALE);
        }
    }

    static long[] parse(String line) {
        String[] f = line == null ? new String[0] : line.trim().split("\\s+");
        if (f.length == 0 || !f[0].equals("cpu")) {
            throw new IllegalArgumentException("not the aggregate cpu line of /proc/stat: '" + line + "'");
        }
        int n = Math.min(FIELDS, f.length - 1);
        if (n <= IDLE) {
            throw new IllegalArgumentException("cpu line of /proc/stat has " + (f.length - 1)
                    + " counters, needs at least 4 (user nice system idle): '" + line + "'");
        }
        long[] counters = new long[n];
        for (int i = 0; i < n; i++) {
            try {
                // the kernel prints unsigned 64-bit counters
                counters[i] = Long.parseUnsignedLong(f[i + 1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("counter " + (i + 1) + " of the cpu line of /proc/stat is not a number: '"
                        + line + "'");
            }
        }
        return counters;
    }
}
