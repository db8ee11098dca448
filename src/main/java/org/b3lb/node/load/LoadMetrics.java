package org.b3lb.node.load;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Publishes the same figure the balancer sees, so dashboards and B3LB never disagree. */
public final class LoadMetrics {

    private LoadMetrics() {
    }

    public static void bind(MeterRegistry registry, LoadSampler sampler) {
        Gauge.builder("b3lb.load.percent", sampler, LoadSampler::percent)
                .description("the load figure in percent before formatting (load average / online CPUs * 100, or CPU "
                        + "utilisation with b3lb.load.source=cpu), as served on the load endpoint")
                .register(registry);
    }
}
