package org.b3lb.node.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.b3lb.node.config.Settings;
import org.b3lb.node.load.LoadConfig;
import org.b3lb.node.ops.NodeStatus;
import org.b3lb.node.ops.PendingRecordings;
import org.b3lb.node.ops.StatusEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hooks the service's parts into Camel Main's lifecycle: the shared Vert.x closed with the
 * context, the routes directory watched when {@code b3lb.routes.reload} is on, the load port's
 * start-up gate before the servers listen, the status endpoint once the management server runs,
 * and one log line naming the addresses really bound (Camel's own summary prints 0.0.0.0).
 */
final class OpsWiring extends MainListenerSupport implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(OpsWiring.class);

    /** Where health and metrics are served: loopback by default, never the load port. */
    record ManagementConfig(String host, int port) {
        static ManagementConfig from(Settings s) {
            return new ManagementConfig(s.host("b3lb.management.host"), s.port("b3lb.management.port"));
        }
    }

    private final LoadConfig load;
    private final ManagementConfig management;
    private final MeterRegistry meters;
    private final PendingRecordings pending;
    private final Vertx vertx;
    private final Path reloadRoutes;

    /** @param reloadRoutes the routes directory to watch, or null */
    OpsWiring(LoadConfig load, ManagementConfig management, MeterRegistry meters, PendingRecordings pending, Vertx vertx,
            Path reloadRoutes) {
        this.load = load;
        this.management = management;
        this.meters = meters;
        this.pending = pending;
        this.vertx = vertx;
        this.reloadRoutes = reloadRoutes;
        quietCamelSummary();
    }

    /** Camel's endpoint summary says 0.0.0.0 for a loopback server; the line in afterStart replaces it. */
    private static void quietCamelSummary() {
        Logger summary = LoggerFactory.getLogger("org.apache.camel.component.platform.http.main.MainHttpServerUtil");
        if (summary instanceof ch.qos.logback.classic.Logger l && l.getLevel() == null) {
            l.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext camel = main.getCamelContext();
        camel.addLifecycleStrategy(HttpLimits.closeWithContext(vertx));
        if (load.enabled() && !StartupGate.install(camel)) {
            LOG.debug("no main HTTP server found: the load port answers 404 until the load route starts");
        }
        try {
            if (reloadRoutes != null) {
                // not camel.main.routes-reload-enabled: Camel's own strategy loses a route whose edited
                // file does not load, and by default removes every route, the Java ones (upload) too
                camel.addService(new SafeRouteReload(reloadRoutes));
            }
            // not MainListener.afterStart: Main.start() (tests, embedding) never calls it
            camel.addStartupListener(this);
        } catch (Exception e) {
            throw new IllegalStateException("cannot hook the route reload or the status endpoint into Camel's start-up", e);
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext camel, boolean alreadyStarted) {
        StatusEndpoint.install(camel, management.port(),
                new NodeStatus(camel, meters, pending, Version.get(), Clock.systemUTC()));
        String m = url(camel, management.host(), management.port());
        if (load.enabled()) {
            LOG.info("Listening: load endpoint {}/ for the balancer (through nginx); health, metrics and status on {}/observe/"
                    + "{health,metrics,status} (loopback only unless b3lb.management.host says otherwise)",
                    url(camel, load.host(), load.port()), m);
        } else {
            LOG.info("Listening: health, metrics and status on {}/observe/{health,metrics,status}; no load endpoint"
                    + " (b3lb.load.enabled=false)", m);
        }
    }

    /** The configured host with the port the server really bound. */
    private static String url(CamelContext camel, String host, int port) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        int bound = router == null || router.getServer() == null || router.getServer().getServer() == null
                ? port : router.getServer().getServer().actualPort();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound;
    }
}
