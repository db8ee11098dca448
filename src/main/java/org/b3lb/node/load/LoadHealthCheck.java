package org.b3lb.node.load;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * {@code load} in /observe/health (found in the Camel registry): DOWN when the OS gives no load
 * average, i.e. when the load endpoint answers 503 and the balancer keeps a stale figure.
 */
public final class LoadHealthCheck extends AbstractHealthCheck {

    public static final String BEAN_NAME = "loadHealthCheck";

    private final LoadSampler sampler;

    public LoadHealthCheck(LoadSampler sampler) {
        super("b3lb", "load");
        this.sampler = sampler;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        double percent = sampler.percent();
        if (percent < 0 || Double.isNaN(percent)) {
            builder.down().message("the OS reports no load average: the load endpoint answers 503 and the balancer"
                    + " keeps its last figure for this node");
            return;
        }
        builder.up().detail("load.percent", Math.round(percent * 100) / 100.0);
    }
}
