package org.b3lb.node.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Clock;
import java.util.Properties;
import org.apache.camel.main.Main;
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
import org.b3lb.node.ops.OpsMetrics;
import org.b3lb.node.ops.PendingRecordings;
import org.b3lb.node.upload.RecordingSchedule;
import org.b3lb.node.upload.UploadConfig;
import org.b3lb.node.upload.UploadHealthCheck;
import org.b3lb.node.upload.UploadMetrics;
import org.b3lb.node.upload.UploadPause;
import org.b3lb.node.app.OpsWiring.ManagementConfig;
import org.b3lb.node.upload.UploadRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Camel Main service from validated settings. Every setting is checked here, before
 * Camel starts, so a bad value stops start-up with one line instead of a half-running node.
 */
public final class NodeService {

    /** The name the registry and JMX know the meter registry by; camel-micrometer-prometheus reuses it. */
    public static final String METRICS_REGISTRY = "metricsRegistry";

    private static final Logger LOG = LoggerFactory.getLogger(NodeService.class);

    private NodeService() {
    }

    public static Main create(Settings s) {
        Path routesDir = routesDir(s);
        Path reloadRoutes = s.bool("b3lb.routes.reload") ? routesDir : null;
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

        s.unknownKeys().forEach(k -> LOG.warn("unknown setting {} is ignored: check its spelling against the README's key table", k));
        s.specLeftovers().forEach(leftover -> LOG.warn("{}", leftover));
        ProtocolInUse protocol = ProtocolInUse.of(s.protocol(), upload.enabled() ? upload.endpoint() : null);
        LOG.info("{}", protocol.startupLine());
        if (protocol.mismatch() != null) {
            LOG.warn("{}", protocol.mismatch());
        }

        Main main = new Main();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        main.bind(METRICS_REGISTRY, meters);

        // both HTTP servers take this Vert.x from the registry: idle timeout, connection cap, Host check
        Vertx vertx = httpLimits.vertx();
        main.bind("vertx", vertx);

        CpuSampler cpu = new CpuSampler();
        main.bind("cpuSampler", cpu);
        LoadSampler sampler = load.source() == LoadConfig.Source.CPU ? new LoadSampler(cpu::percent, System::nanoTime,
                load.format()) : new LoadSampler(load.format());
        main.bind("loadResponder", new LoadResponder(sampler));
        sampler.bindGauge(meters);
        main.bind(LoadHealthCheck.BEAN_NAME, new LoadHealthCheck(sampler));
        PendingRecordings pending = new PendingRecordings(s.path("b3lb.recording-dir"), Clock.systemUTC());
        OpsMetrics.bind(meters, pending, Clock.systemUTC());
        main.bind(ProtocolInUse.BEAN_NAME, protocol);
        main.addMainListener(new OpsWiring(load, management, meters, pending, vertx, reloadRoutes));
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
        p.put("b3lb.management.host", management.host());
        p.put("b3lb.management.port", Integer.toString(management.port()));
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
        return main;
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
        String checkout = ConfigLocator.checkoutFix(s.configFile());
        if (!Files.isDirectory(dir) && !s.has("b3lb.routes-dir") && !checkout.isEmpty()) {
            throw new ConfigException("routes directory " + dir + " does not exist" + checkout + " (or pass --b3lb.routes-dir=routes)");
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
