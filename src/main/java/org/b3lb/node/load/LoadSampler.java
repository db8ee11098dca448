package org.b3lb.node.load;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.function.DoubleSupplier;
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

    /** The 1-minute load average per online CPU, the spec's figure. */
    public LoadSampler(LoadFigure.Format format) {
        this(() -> LoadFigure.percent(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                LoadFigure.onlineCpus()), System::nanoTime, format);
    }

    /** @param percent the figure in percent, negative when unavailable ({@code CpuSampler::percent} for B3LB's) */
    public LoadSampler(DoubleSupplier percent, LongSupplier clock, LoadFigure.Format format) {
        this.source = percent;
        this.clock = clock;
        this.format = format;
    }

    /** Publishes the figure the balancer sees, so dashboards and B3LB never disagree. */
    public void bindGauge(MeterRegistry registry) {
        Gauge.builder("b3lb.load.percent", this, LoadSampler::percent)
                .description("the load figure in percent before formatting (load average / online CPUs * 100, or CPU "
                        + "utilisation with b3lb.load.source=cpu), as served on the load endpoint")
                .register(registry);
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
}
