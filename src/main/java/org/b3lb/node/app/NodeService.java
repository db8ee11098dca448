package org.b3lb.node.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.component.quartz.QuartzComponent;
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
import org.b3lb.node.config.ProtocolInUse;
import org.b3lb.node.config.Settings;
import org.b3lb.node.load.CpuSampler;
import org.b3lb.node.load.LoadConfig;
import org.b3lb.node.load.LoadHealthCheck;
import org.b3lb.node.load.LoadMetrics;
import org.b3lb.node.load.LoadResponder;
import org.b3lb.node.load.LoadSampler;
import org.b3lb.node.ops.OpsMetrics;
import org.b3lb.node.ops.PendingRecordings;
import org.b3lb.node.layout.RecordingStates;
import org.b3lb.node.upload.ScheduleStates;
import org.b3lb.node.upload.UploadConfig;
import org.b3lb.node.upload.UploadHealthCheck;
import org.b3lb.node.upload.UploadMetrics;
import org.b3lb.node.upload.UploadRoute;

/**
 * Builds the Camel Main service from validated settings. Every setting is checked here, before
 * Camel starts, so a bad value stops start-up with one line instead of a half-running node.
 */
public final class NodeService {

    /** The name the registry and JMX know the meter registry by; camel-micrometer-prometheus reuses it. */
    public static final String METRICS_REGISTRY = "metricsRegistry";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeService.class);

    private NodeService() {
    }

    public static Main create(Settings s) {
        Path routesDir = routesDir(s);
        boolean reloadRoutes = s.bool("b3lb.routes.reload");
        LoadConfig load = LoadConfig.from(s);
        ManagementConfig management = ManagementConfig.from(s);
        HttpLimits httpLimits = HttpLimits.from(s);
        Path recordingDir = s.path("b3lb.recording-dir");
        if (Files.exists(recordingDir) && !Files.isDirectory(recordingDir)) {
            throw new ConfigException("recording directory " + recordingDir + " is not a directory (b3lb.recording-dir, from "
                    + s.source("b3lb.recording-dir") + "); point b3lb.recording-dir at the directory the hook writes to");
        }
        CleanupConfig cleanup = CleanupConfig.from(s);
        UploadConfig upload = UploadConfig.from(s);

        for (String unknown : s.unknownKeys()) {
            LOG.warn("unknown setting {} is ignored: check its spelling against the README's key table", unknown);
        }
        for (String leftover : s.specLeftovers()) {
            LOG.warn("{}", leftover);
        }
        ProtocolInUse protocol = ProtocolInUse.of(s.protocol(), upload.enabled() ? upload.endpoint() : null);
        LOG.info("{}", protocol.startupLine());
        if (protocol.mismatch() != null) {
            LOG.warn("{}", protocol.mismatch());
        }

        Main main = new Main();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        main.bind(METRICS_REGISTRY, meters);

        // both HTTP servers take this Vert.x from the registry: idle timeout, connection cap, Host check
        io.vertx.core.Vertx vertx = httpLimits.vertx();
        main.bind("vertx", vertx);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                m.getCamelContext().addLifecycleStrategy(HttpLimits.closeWithContext(vertx));
            }
        });

        CpuSampler cpu = new CpuSampler();
        main.bind("cpuSampler", cpu);
        LoadSampler sampler = load.source() == LoadConfig.Source.CPU ? new LoadSampler(cpu, load.format())
                : new LoadSampler(load.format());
        main.bind("loadResponder", new LoadResponder(sampler));
        LoadMetrics.bind(meters, sampler);
        main.bind(LoadHealthCheck.BEAN_NAME, new LoadHealthCheck(sampler));
        PendingRecordings pending = new PendingRecordings(s.path("b3lb.recording-dir"), Clock.systemUTC());
        OpsMetrics.bind(meters, pending, Clock.systemUTC());
        main.bind(ProtocolInUse.BEAN_NAME, protocol);
        main.addMainListener(new OpsWiring(load, management, meters, pending));
        if (upload.enabled()) {
            UploadRoute uploadRoute = new UploadRoute(upload, new UploadMetrics(meters));
            main.configure().addRoutesBuilder(uploadRoute);
            main.bind(RecordingStates.BEAN_NAME, new ScheduleStates(uploadRoute.schedule()));
            main.bind(UploadHealthCheck.BEAN_NAME, new UploadHealthCheck(upload, uploadRoute.schedule()));
        }

        Instant started = Instant.now();
        RecordingRemover remover = new RecordingRemover(cleanup);
        CleanupPass cleanupPass = new CleanupPass(cleanup, cleanup.dryRun(), new CleanupMetrics(meters, started),
                CleanupPass.Report.log(), remover);
        main.bind("cleanupPass", cleanupPass);
        main.bind("cleanupHealthCheck", new CleanupHealthCheck(cleanup, cleanupPass, started));
        main.bind("diskGuard", new DiskGuard(cleanup, remover, cleanup.dryRun(), meters, CleanupPass.Report.log()));
        // one daily job: Quartz's default pool of 10 idle workers is only threads and wake-ups;
        // the last two lines are Quartz's own defaults, which a given map replaces
        QuartzComponent quartz = new QuartzComponent();
        quartz.setProperties(Map.of("org.quartz.threadPool.threadCount", "1",
                "org.quartz.threadPool.class", QuartzPool.class.getName(), // no worker polling every 500 ms
                "org.quartz.threadPool.threadsInheritContextClassLoaderOfInitializingThread", "true",
                "org.quartz.jobStore.misfireThreshold", "60000"));
        main.bind("quartz", quartz);

        Properties p = new Properties();
        p.put("camel.main.name", "b3lb-node");
        p.put("camel.main.auto-configuration-log-summary", "false");
        p.put("camel.main.routes-include-pattern", "file:" + routesDir + "/*.camel.yaml");
        p.put("camel.main.jmx-enabled", "true");
        // MBeans for the context and the routes (stop/start, exchange counts), none per processor:
        // those cost 5 MiB of an idle node's RSS (docs/benchmarks.md, "Idle RSS") and nobody here
        // manages a single processor; camel.main.jmx-management-m-beans-level=Default brings them back
        p.put("camel.main.jmx-management-m-beans-level", "RoutesOnly");
        p.put("camel.server.enabled", Boolean.toString(load.enabled()));
        p.put("camel.server.host", load.host());
        p.put("camel.server.port", Integer.toString(load.port()));
        p.put("camel.server.file-upload-enabled", "false");
        p.put("camel.server.max-body-size", "1024");
        p.put("camel.management.enabled", "true");
        p.put("camel.management.host", management.host());
        p.put("camel.management.port", Integer.toString(management.port()));
        p.put("camel.management.health-check-enabled", "true");
        p.put("camel.management.metrics-enabled", "true");
        p.put("camel.health.enabled", "true");
        p.put("camel.health.routes-enabled", "true");
        p.put("camel.health.consumers-enabled", "true");
        p.put("camel.health.exposure-level", "full");
        p.put("camel.metrics.enabled", "true");
        p.put("camel.metrics.enable-route-policy", "true");
        // camel_exchanges_total{routeId} etc. come from the route policy; the exchange event
        // notifier only duplicated them (camel_exchange_event_notifier_*) at a registry search
        // per exchange (11% of the load endpoint's CPU in issue 13's profile)
        p.put("camel.metrics.enable-exchange-event-notifier", "false");
        p.put("camel.metrics.binders", "jvm-memory,jvm-gc,jvm-thread,jvm-info,class-loader,processor,file-descriptor,uptime");
        if (reloadRoutes) {
            // not camel.main.routes-reload-enabled: Camel's own strategy loses a route whose edited
            // file does not load, and by default removes every route, the Java ones (upload) too
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void afterConfigure(BaseMainSupport m) {
                    try {
                        m.getCamelContext().addService(new SafeRouteReload(routesDir));
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot watch " + routesDir + " for route changes", e);
                    }
                }
            });
        }
        // the admin's own camel.* keys and every b3lb.* value (for {{placeholders}} in YAML routes) win
        // ...except secrets: Camel's properties can be read over JMX and show up in its logs
        s.all().forEach((k, v) -> {
            if (!k.contains("secret")) {
                // in any spelling Camel binds to the same option (jmxEnabled, jmx-enabled)
                p.keySet().removeIf(ours -> relaxed((String) ours).equals(relaxed(k)));
                p.put(k, v);
            }
        });
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
        return main;
    }

    /** A Camel option name as Camel matches it: without dashes, in any case. */
    private static String relaxed(String key) {
        return key.replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Listening addresses of the service, for a clear "port in use" message before Camel starts. */
    static void checkPorts(Settings s) {
        LoadConfig load = LoadConfig.from(s);
        ManagementConfig management = ManagementConfig.from(s);
        if (load.enabled() && load.port() == management.port()) {
            throw s.invalid("b3lb.management.port", "must differ from b3lb.load.port");
        }
        if (load.enabled()) {
            PortCheck.assertFree("b3lb.load.host", load.host(), "b3lb.load.port", load.port());
        }
        PortCheck.assertFree("b3lb.management.host", management.host(), "b3lb.management.port", management.port());
    }

    /** {@code b3lb.routes-dir}, by default the {@code routes/} directory next to the config file. */
    static Path routesDir(Settings s) {
        Path dir = s.has("b3lb.routes-dir") ? s.path("b3lb.routes-dir") : s.configDir().resolve("routes").normalize();
        if (!Files.isDirectory(dir) && !s.has("b3lb.routes-dir") && Files.isDirectory(Path.of("routes"))
                && Files.isRegularFile(Path.of("config", "dev.properties"))) {
            throw new ConfigException("routes directory " + dir + " does not exist; this is a checkout: run with"
                    + " --config config/dev.properties (or pass --b3lb.routes-dir=routes)");
        }
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("routes directory " + dir + " does not exist (b3lb.routes-dir, from "
                    + s.source("b3lb.routes-dir") + "); create it or point b3lb.routes-dir at the *.camel.yaml files");
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
