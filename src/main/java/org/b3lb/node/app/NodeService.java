package org.b3lb.node.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Clock;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.b3lb.node.cleanup.CleanupConfig;
import org.b3lb.node.cleanup.CleanupHealthCheck;
import org.b3lb.node.cleanup.CleanupMetrics;
import org.b3lb.node.cleanup.CleanupPass;
import org.b3lb.node.cleanup.DiskGuard;
import org.b3lb.node.cleanup.RecordingRemover;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.ConfigLocator;
import org.b3lb.node.config.ProtocolInUse;
import org.b3lb.node.config.Settings;
import org.b3lb.node.load.CpuSampler;
import org.b3lb.node.load.LoadConfig;
import org.b3lb.node.load.LoadHealthCheck;
import org.b3lb.node.load.LoadResponder;
import org.b3lb.node.load.LoadSampler;
import org.b3lb.node.ops.NodeStatus;
import org.b3lb.node.ops.PendingRecordings;
import org.b3lb.node.ops.StatusEndpoint;
import org.b3lb.node.upload.RecordingSchedule;
import org.b3lb.node.upload.UploadConfig;
import org.b3lb.node.upload.UploadHealthCheck;
import org.b3lb.node.upload.UploadMetrics;
import org.b3lb.node.upload.UploadPause;
import org.b3lb.node.upload.UploadRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Camel Main service from validated settings. Every setting is checked here, before
 * Camel starts, so a bad value stops start-up with one line instead of a half-running node. As
 * Main's listener it then hooks the parts into Camel's lifecycle: the shared Vert.x closed with the
 * context, the routes directory watched when {@code b3lb.routes.reload} is on, the load port's
 * start-up gate before the servers listen, the status endpoint once the management server runs,
 * and one log line naming the addresses really bound (Camel's own summary prints 0.0.0.0).
 */
public final class NodeService extends MainListenerSupport implements StartupListener {

    /** The name the registry and JMX know the meter registry by; camel-micrometer-prometheus reuses it. */
    public static final String METRICS_REGISTRY = "metricsRegistry";

    private static final Logger LOG = LoggerFactory.getLogger(NodeService.class);

    private final Main main = new Main();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LoadConfig load;
    /** Where health, metrics and status are served: loopback by default, never the load port. */
    private final String managementHost;
    private final int managementPort;
    private final PendingRecordings pending;
    private final Vertx vertx;
    /** The routes directory to watch, or null. */
    private final Path reloadRoutes;

    public static Main create(Settings s) {
        return new NodeService(s).main;
    }

    private NodeService(Settings s) {
        Path routesDir = routesDir(s);
        reloadRoutes = s.bool("b3lb.routes.reload") ? routesDir : null;
        load = LoadConfig.from(s);
        managementHost = s.host("b3lb.management.host");
        managementPort = s.port("b3lb.management.port");
        // both HTTP servers take this Vert.x from the registry: idle timeout, connection cap, Host check
        vertx = HttpLimits.from(s).vertx();
        Path recordingDir = s.path("b3lb.recording-dir");
        if (Files.exists(recordingDir) && !Files.isDirectory(recordingDir)) {
            throw new ConfigException("recording directory " + recordingDir + " is not a directory (b3lb.recording-dir, from "
                    + s.source("b3lb.recording-dir") + "); point b3lb.recording-dir at the directory the hook writes to");
        }
        CleanupConfig cleanup = CleanupConfig.from(s);
        UploadConfig upload = UploadConfig.from(s);

        s.unknownKeys().forEach(k -> LOG.warn("unknown setting {} is ignored: check its spelling against the README's key table", k));
        s.specLeftovers().forEach(leftover -> LOG.warn("{}", leftover));
        ProtocolInUse protocol = ProtocolInUse.of(s.protocol(), upload.enabled() ? upload.endpoint() : null);
        LOG.info("{}", protocol.startupLine());
        if (protocol.mismatch() != null) {
            LOG.warn("{}", protocol.mismatch());
        }

        main.bind(METRICS_REGISTRY, meters);
        main.bind("vertx", vertx);

        CpuSampler cpu = new CpuSampler();
        main.bind("cpuSampler", cpu);
        LoadSampler sampler = load.source() == LoadConfig.Source.CPU ? new LoadSampler(cpu::percent, System::nanoTime,
                load.format()) : new LoadSampler(load.format());
        main.bind("loadResponder", new LoadResponder(sampler));
        sampler.bindGauge(meters);
        main.bind(LoadHealthCheck.BEAN_NAME, new LoadHealthCheck(sampler));
        pending = new PendingRecordings(recordingDir, Clock.systemUTC());
        pending.bindGauges(meters);
        main.bind(ProtocolInUse.BEAN_NAME, protocol);
        quietCamelSummary();
        main.addMainListener(this);
        if (upload.enabled()) {
            // the pause reads the figure the load endpoint answers, from the same sampler
            UploadRoute uploadRoute = new UploadRoute(upload, new UploadMetrics(meters),
                    new UploadPause(upload.pause(), sampler::body, Clock.systemUTC()));
            main.configure().addRoutesBuilder(uploadRoute);
            main.bind(RecordingSchedule.BEAN_NAME, uploadRoute.schedule());
            main.bind(UploadHealthCheck.BEAN_NAME, new UploadHealthCheck(upload, uploadRoute.schedule(), uploadRoute.pause()));
        }

        Instant started = Instant.now();
        RecordingRemover remover = new RecordingRemover(cleanup);
        CleanupPass cleanupPass = new CleanupPass(cleanup, cleanup.dryRun(), new CleanupMetrics(meters, started),
                CleanupPass.Report.log(), remover);
        main.bind("cleanupPass", cleanupPass);
        main.bind("cleanupHealthCheck", new CleanupHealthCheck(cleanup, cleanupPass, started, Clock.systemUTC()));
        main.bind("diskGuard", new DiskGuard(cleanup, remover, cleanup.dryRun(), meters, CleanupPass.Report.log()));

        Properties p = new Properties();
        // every b3lb.* value (for {{placeholders}} in YAML routes and b3lb/camel.properties) and the
        // admin's own camel.* keys, which win over b3lb/camel.properties in Camel's precedence;
        // no secrets: Camel's properties can be read over JMX and show up in its logs
        s.all().forEach((k, v) -> {
            if (!k.contains("secret")) {
                p.put(k, v);
            }
        });
        // validated, for b3lb/camel.properties
        p.put("b3lb.load.enabled", Boolean.toString(load.enabled()));
        p.put("b3lb.load.host", load.host());
        p.put("b3lb.load.port", Integer.toString(load.port()));
        p.put("b3lb.management.host", managementHost);
        p.put("b3lb.management.port", Integer.toString(managementPort));
        p.put("b3lb.routes-dir", routesDir.toString());
        // derived, not an admin key: Quartz reads an empty or unknown zone as GMT, so the route
        // always gets a resolved zone id (the host's when b3lb.cleaner.time-zone is empty)
        p.put("b3lb.cleaner.quartz-time-zone", cleanup.quartzTimeZoneId());
        // derived too: the disk-guard route starts only when b3lb.cleaner.min-free is set
        p.put("b3lb.cleaner.guard-enabled", Boolean.toString(cleanup.guardEnabled()));
        p.put("b3lb.cleaner.guard-interval-millis", Long.toString(cleanup.guardInterval().toMillis()));
        // derived too: the load-sample route runs only when the load route answers from /proc/stat
        p.put("b3lb.load.cpu-sampling", Boolean.toString(load.samplesCpu()));
        main.setOverrideProperties(p);
        main.setPropertyPlaceholderLocations("classpath:b3lb/camel.properties");
    }

    /** Camel's endpoint summary says 0.0.0.0 for a loopback server; the line once started replaces it. */
    private static void quietCamelSummary() {
        Logger summary = LoggerFactory.getLogger("org.apache.camel.component.platform.http.main.MainHttpServerUtil");
        if (summary instanceof ch.qos.logback.classic.Logger l && l.getLevel() == null) {
            l.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    @Override
    public void afterConfigure(BaseMainSupport m) {
        CamelContext camel = m.getCamelContext();
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
        StatusEndpoint.install(camel, managementPort, new NodeStatus(camel, meters, pending, Version.get(), Clock.systemUTC()));
        String m = url(camel, managementHost, managementPort);
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

    /** Listening addresses of the service, for a clear "port in use" message before Camel starts. */
    static void checkPorts(Settings s) {
        LoadConfig load = LoadConfig.from(s);
        int managementPort = s.port("b3lb.management.port");
        if (load.enabled() && load.port() == managementPort) {
            throw s.invalid("b3lb.management.port", "must differ from b3lb.load.port");
        }
        if (load.enabled()) {
            PortCheck.assertFree("b3lb.load.host", load.host(), "b3lb.load.port", load.port());
        }
        PortCheck.assertFree("b3lb.management.host", s.host("b3lb.management.host"), "b3lb.management.port", managementPort);
    }

    /** {@code b3lb.routes-dir}, by default the {@code routes/} directory next to the config file. */
    static Path routesDir(Settings s) {
        Path dir = s.has("b3lb.routes-dir") ? s.path("b3lb.routes-dir") : s.configDir().resolve("routes").normalize();
        if (!Files.isDirectory(dir)) {
            String checkout = s.has("b3lb.routes-dir") ? "" : ConfigLocator.checkoutFix(s.configFile());
            String fix = checkout.isEmpty() ? " (b3lb.routes-dir, from " + s.source("b3lb.routes-dir")
                    + "); create it or point b3lb.routes-dir at the *.camel.yaml files" : checkout + " (or pass --b3lb.routes-dir=routes)";
            throw new ConfigException("routes directory " + dir + " does not exist" + fix);
        }
        // without its file an enabled route would silently not exist while health still says UP
        requireRouteFile(s, dir, "b3lb.load.enabled", "load.camel.yaml");
        requireRouteFile(s, dir, "b3lb.cleaner.enabled", "cleanup.camel.yaml");
        return dir;
    }

    private static void requireRouteFile(Settings s, Path dir, String enabledKey, String file) {
        if (s.bool(enabledKey) && !Files.isRegularFile(dir.resolve(file))) {
            throw new ConfigException("routes directory " + dir + " (b3lb.routes-dir, from " + s.source("b3lb.routes-dir")
                    + ") has no " + file + " but " + enabledKey + "=true; restore it (apt-get install --reinstall"
                    + " -o Dpkg::Options::=--force-confmiss b3lb-node) or set " + enabledKey + "=false");
        }
    }
}
