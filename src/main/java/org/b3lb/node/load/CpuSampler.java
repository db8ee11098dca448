package org.b3lb.node.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds /proc/stat to a {@link CpuUtilisation} for {@code b3lb.load.source=cpu}. The timer route
 * {@code load-sample} (routes/load.camel.yaml) calls {@link #sample()} every 10 s, as B3LB's
 * reporter samples; the load route only reads the last figure.
 */
public final class CpuSampler {

    static final Path PROC_STAT = Path.of("/proc/stat");

    private static final Logger LOG = LoggerFactory.getLogger(CpuSampler.class);

    private final Path procStat;
    private final CpuUtilisation utilisation = new CpuUtilisation();
    private volatile boolean failing;

    public CpuSampler() {
        this(PROC_STAT);
    }

    CpuSampler(Path procStat) {
        this.procStat = procStat;
    }

    /** Reads one sample; a failure keeps the last figure and is logged once until a sample works again. */
    public void sample() {
        try {
            String line;
            try (BufferedReader r = Files.newBufferedReader(procStat, StandardCharsets.US_ASCII)) {
                line = r.readLine();
            }
            utilisation.add(line);
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
        int f = utilisation.figure();
        if (f < 0) {
            // the load route may be asked before the timer's first run
            sample();
            f = utilisation.figure();
        }
        return f < 0 ? -1 : f / 100.0;
    }
}
