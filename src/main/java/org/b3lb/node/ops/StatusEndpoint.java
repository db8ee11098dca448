package org.b3lb.node.ops;

import io.vertx.core.http.HttpMethod;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.util.json.Jsoner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link #PATH} on Camel's management server (loopback by default, beside /observe/health
 * and /observe/metrics). Written against the server's Vert.x router because Camel's dev consoles
 * have no slot for a service's own report and would expose every other console with it.
 */
public final class StatusEndpoint {

    public static final String PATH = "/observe/status";

    private static final Logger LOG = LoggerFactory.getLogger(StatusEndpoint.class);

    private StatusEndpoint() {
    }

    /** Must run after the management server started (its router is looked up by port). */
    public static void install(CamelContext camel, int managementPort, NodeStatus status) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel,
                VertxPlatformHttpRouter.getRouterNameFromPort(managementPort));
        if (router == null) {
            LOG.warn("no management server on port {}: b3lb-node status will not reach this service", managementPort);
            return;
        }
        // blocking: health checks and the directory scan must not run on the event loop
        router.route(HttpMethod.GET, PATH).blockingHandler(ctx -> {
            String body;
            try {
                body = Jsoner.serialize(status.snapshot());
            } catch (RuntimeException e) {
                LOG.warn("status report failed: {}", e.toString(), e);
                ctx.response().setStatusCode(500).putHeader("Content-Type", "text/plain; charset=utf-8")
                        .end("status report failed: " + e + "\n");
                return;
            }
            ctx.response().putHeader("Content-Type", "application/json").end(body + "\n");
        }, false);
    }
}
