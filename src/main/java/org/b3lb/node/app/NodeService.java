package org.b3lb.node.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.b3lb.node.cleanup.CleanupConfig;
import org.b3lb.node.cleanup.CleanupMetrics;
import org.b3lb.node.cleanup.CleanupPass;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.b3lb.node.load.CpuSampler;
import org.b3lb.node.load.LoadConfig;
import org.b3lb.node.load.LoadMetrics;
import org.b3lb.node.load.LoadResponder;
import org.b3lb.node.load.LoadSampler;
import org.b3lb.node.upload.UploadConfig;
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
        s.path("b3lb.recording-dir");
        CleanupConfig cleanup = CleanupConfig.from(s);
        UploadConfig upload = UploadConfig.from(s);

        for (String unknown : s.unknownKeys()) {
            LOG.warn("unknown setting {} is ignored: check its spelling against the README's key table", unknown);
        }
        for (String leftover : s.specLeftovers()) {
            LOG.warn("{}", leftover);
        }

        Main main = new Main();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        main.bind(METRICS_REGISTRY, meters);

        CpuSampler cpu = new CpuSampler();
        main.bind("cpuSampler", cpu);
        LoadSampler sampler = load.source() == LoadConfig.Source.CPU ? new LoadSampler(cpu, load.format())
                : new LoadSampler(load.format());
        main.bind("loadResponder", new LoadResponder(sampler));
        LoadMetrics.bind(meters, sampler);
        if (upload.enabled()) {
            main.configure().addRoutesBuilder(new UploadRoute(upload, new UploadMetrics(meters, upload.recordingDir())));
        }

        main.bind("cleanupPass", new CleanupPass(cleanup, cleanup.dryRun(), new CleanupMetrics(meters),
                CleanupPass.Report.log()));

        Properties p = new Properties();
        p.put("camel.main.name", "b3lb-node");
        p.put("camel.main.auto-configuration-log-summary", "false");
        p.put("camel.main.routes-include-pattern", "file:" + routesDir + "/*.camel.yaml");
        p.put("camel.main.jmx-enabled", "true");
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
                p.put(k, v);
            }
        });
        p.put("b3lb.routes-dir", routesDir.toString());
        // derived, not an admin key: Quartz reads an empty or unknown zone as GMT, so the route
        // always gets a resolved zone id (the host's when b3lb.cleaner.time-zone is empty)
        p.put("b3lb.cleaner.quartz-time-zone", cleanup.quartzTimeZoneId());
        // derived too: the load-sample route runs only when the load route answers from /proc/stat
        p.put("b3lb.load.cpu-sampling", Boolean.toString(load.samplesCpu()));
        main.setOverrideProperties(p);
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
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("routes directory " + dir + " does not exist (b3lb.routes-dir, from "
                    + s.source("b3lb.routes-dir") + "); create it or point b3lb.routes-dir at the *.camel.yaml files");
        }
        return dir;
    }
}
