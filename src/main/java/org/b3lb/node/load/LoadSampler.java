package org.b3lb.node.load;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Reads the load figure from its source, at most once per {@link #MAX_AGE_NANOS}: the kernel updates
 * the load average every 5 s (and the CPU sampler every 10 s), so a balancer polling hard must not
 * cost a syscall per request.
 */
public final class LoadSampler {

    static final long MAX_AGE_NANOS = 1_000_000_000L;

    private final DoubleSupplier source;
    private final LongSupplier clock;
    private final LoadFigure.Format format;
    private volatile Sample last;

    private record Sample(long takenAt, double percent, byte[] body) {
    }

    public LoadSampler(LoadFigure.Format format) {
        this(osLoadAverage(), CpuCount::online, System::nanoTime, format);
    }

    /** {@code b3lb.load.source=cpu}: the figure is B3LB's CPU utilisation, sampled in the background. */
    public LoadSampler(CpuSampler cpu, LoadFigure.Format format) {
        this(cpu::percent, System::nanoTime, format);
    }

    LoadSampler(DoubleSupplier loadAverage, IntSupplier cpus, LongSupplier clock, LoadFigure.Format format) {
        this(() -> LoadFigure.percent(loadAverage.getAsDouble(), cpus.getAsInt()), clock, format);
    }

    /** @param percent the figure in percent, negative when unavailable */
    LoadSampler(DoubleSupplier percent, LongSupplier clock, LoadFigure.Format format) {
        this.source = percent;
        this.clock = clock;
        this.format = format;
    }

    /** @return the figure in percent (whatever the answer's format), negative when the source has none */
    public double percent() {
        return sample().percent;
    }

    /**
     * @return the response body ({@code "45.32\n"} in ASCII), shared between callers who must not
     *         modify it, or null when the source has no figure
     */
    public byte[] body() {
        return sample().body;
    }

    private Sample sample() {
        long now = clock.getAsLong();
        Sample s = last;
        if (s == null || now - s.takenAt >= MAX_AGE_NANOS) {
            // concurrent refreshes are harmless: each computes the same figure
            double p = source.getAsDouble();
            s = new Sample(now, p, p < 0 ? null : format.render(p).getBytes(StandardCharsets.US_ASCII));
            last = s;
        }
        return s;
    }

    private static DoubleSupplier osLoadAverage() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os::getSystemLoadAverage;
    }
}
