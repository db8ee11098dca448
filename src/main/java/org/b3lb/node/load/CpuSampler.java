package org.b3lb.node.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds /proc/stat to a {@link CpuUtilisation} for {@code b3lb.load.source=cpu}. The timer route
 * {@code load-sample} (routes/load.camel.yaml) calls {@link #sample()} every 10 s, as B3LB's
 * reporter samples; the load route only reads the last figure, and reads /proc/stat itself only
 * when no sample is younger than {@link #STALE_NANOS} (the route stopped over JMX, or its file
 * removed), so the balancer never gets a figure frozen in the past.
 */
public final class CpuSampler {

    static final Path PROC_STAT = Path.of("/proc/stat");

    /** Three missed 10 s periods. */
    static final long STALE_NANOS = 30_000_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(CpuSampler.class);

    private final Path procStat;
    private final LongSupplier clock;
    private final CpuUtilisation utilisation = new CpuUtilisation();
    private volatile boolean failing;
    private volatile long lastSampleAt;
    private volatile boolean sampled;

    public CpuSampler() {
        this(PROC_STAT, System::nanoTime);
    }

    CpuSampler(Path procStat, LongSupplier clock) {
        this.procStat = procStat;
        this.clock = clock;
    }

    /** Reads one sample; a failure keeps the last figure and is logged once until a sample works again. */
    public void sample() {
        lastSampleAt = clock.getAsLong();
        sampled = true;
        try {
            try (BufferedReader r = Files.newBufferedReader(procStat, StandardCharsets.US_ASCII)) {
                utilisation.add(r.readLine());
            }
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
        int f = utilisation.figure();
        return f < 0 ? -1 : f / 100.0;
    }
}
