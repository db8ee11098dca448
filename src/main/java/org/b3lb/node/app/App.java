package org.b3lb.node.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.apache.camel.main.Main;
import org.b3lb.node.cleanup.AdoptUploaded;
import org.b3lb.node.cleanup.CleanupCommand;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.ConfigLocator;
import org.b3lb.node.config.Settings;
import org.b3lb.node.migrate.MigrateCommand;
import org.b3lb.node.ops.RouteControl;
import org.b3lb.node.ops.ServiceClient;
import org.b3lb.node.ops.StatusCommand;
import org.b3lb.node.upload.PushOnce;
import org.b3lb.node.upload.UploadConfig;
import org.slf4j.LoggerFactory;

/**
 * {@code b3lb-node [run]} runs the service; {@code push --once} and {@code clean [--dry-run]}
 * run one pass of the same code and exit; {@code status} and {@code routes} ask the running
 * service. Exit codes: 0 ok, 1 runtime failure (status: degraded), 2 bad usage or configuration,
 * 3 (status, routes) the service is not running. {@code --help} lists them all.
 */
public final class App {

    private App() {
    }

    public static void main(String[] args) {
        // Vert.x (under both HTTP servers) would otherwise create a cache directory in java.io.tmpdir
        // at start-up for serving classpath files, which nothing here serves: the service then
        // needs no writable /tmp (with PrivateTmp=no, ProtectSystem=strict makes it read-only)
        if (System.getProperty("vertx.disableFileCPResolving") == null) {
            System.setProperty("vertx.disableFileCPResolving", "true");
        }
        System.exit(run(args));
    }

    static int run(String... args) {
        try {
            CommandLine cl = CommandLine.parse(args);
            if (cl.has("--help") || cl.command().equals("help")) {
                System.out.print(CommandLine.help(Version.get()));
                return 0;
            }
            if (cl.has("--version") || cl.command().equals("version")) {
                System.out.println("b3lb-node " + Version.get());
                return 0;
            }
            if (cl.command().equals("migrate")) {
                // before the config is located: migrate edits the node's file (or --root's), not ./config/
                cl.allowOnly("--dry-run", "--root");
                if (!cl.overrides().isEmpty()) {
                    throw new ConfigException("migrate takes no --KEY=VALUE: it writes the config file; " + CommandLine.USAGE);
                }
                return MigrateCommand.run(cl.value("--root"), cl.config(), cl.has("--dry-run"), System.out);
            }
            Path file = ConfigLocator.locate(cl.config());
            useLogbackConfigBeside(file);
            Settings settings = Settings.load(file, System.getenv(), cl.overrides());
            return switch (cl.command()) {
                case "run" -> {
                    cl.allowOnly();
                    yield serve(settings);
                }
                case "status" -> {
                    cl.allowOnly("--json");
                    yield StatusCommand.run(client(settings), cl.has("--json"), System.out, System.err);
                }
                case "routes" -> {
                    cl.allowArguments(2);
                    cl.allowFlags("--jmx");
                    String jmx = cl.value("--jmx");
                    RouteControl.Connection c = jmx != null ? RouteControl.remote(jmx) : RouteControl.attach(client(settings));
                    yield RouteControl.run(c, cl.arguments(), System.out, System.err);
                }
                case "clean" -> {
                    cl.allowOnly("--dry-run", "--verbose");
                    requireRecordingDirInCheckout(settings);
                    yield CleanupCommand.run(settings, cl.has("--dry-run"), cl.has("--verbose"), System.out);
                }
                case "adopt-uploaded" -> {
                    cl.allowOnly("--dry-run");
                    yield AdoptUploaded.run(settings.path("b3lb.recording-dir"), cl.has("--dry-run"),
                            Clock.systemUTC(), System.out, System.err);
                }
                case "push" -> {
                    cl.allowOnly("--once");
                    if (!cl.has("--once")) {
                        throw new ConfigException("push needs --once (the running service uploads continuously); " + CommandLine.USAGE);
                    }
                    requireRecordingDirInCheckout(settings);
                    yield push(settings);
                }
                default -> throw new ConfigException("unknown command '" + cl.command() + "'; " + CommandLine.USAGE);
            };
        } catch (ConfigException e) {
            System.err.println("b3lb-node: " + oneLine(e.getMessage()));
            return 2;
        }
    }

    /** As {@code run} does for its routes: from a checkout, the node's recording directory is missing for a reason. */
    private static void requireRecordingDirInCheckout(Settings s) {
        Path dir = s.path("b3lb.recording-dir");
        String checkout = ConfigLocator.checkoutFix(s.configFile());
        String source = s.source("b3lb.recording-dir");
        boolean given = source.startsWith("argument") || source.startsWith("environment"); // then it is meant
        if (!checkout.isEmpty() && !given && !Files.isDirectory(dir)) {
            throw new ConfigException("recording directory " + dir + " does not exist (b3lb.recording-dir, from " + source + ")"
                    + checkout);
        }
    }

    private static ServiceClient client(Settings s) {
        return new ServiceClient(s.host("b3lb.management.host"), s.port("b3lb.management.port"));
    }

    /** A value quoted in the message may hold a line break (from an environment variable): keep the error one line. */
    static String oneLine(String message) {
        StringBuilder b = new StringBuilder(message.length());
        message.codePoints().forEach(c -> b.append(switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029 ? String.format("\\u%04x", c)
                    : Character.toString(c);
        }));
        return b.toString();
    }

    private static int push(Settings settings) {
        UploadConfig upload = UploadConfig.from(settings);
        try {
            return PushOnce.run(upload, System.out);
        } catch (ConfigException e) {
            throw e;
        } catch (Exception e) {
            System.err.println("b3lb-node: push failed: " + e + "; see the log lines above");
            return 1;
        }
    }

    private static int serve(Settings settings) {
        LoggerFactory.getLogger(App.class).info("b3lb-node {} starting (pid {}, Java {}, config {})", Version.get(),
                ProcessHandle.current().pid(), Runtime.version(),
                settings.configFile() == null ? "built-in defaults" : settings.configFile().toAbsolutePath());
        Main main = NodeService.create(settings);
        NodeService.checkPorts(settings);
        try {
            main.run();
        } catch (Exception e) {
            Optional<String> routeFile = RouteFileError.describe(e, main.getCamelContext());
            if (routeFile.isPresent()) {
                System.err.println("b3lb-node: " + oneLine(routeFile.get()));
                return 2;
            }
            System.err.println("b3lb-node: failed to start: " + RouteFileError.root(e).getMessage() + "; see the log lines above");
            return 1;
        } finally {
            // marks the run as over: Camel's JVM shutdown hook otherwise logs "triggered by SIGTERM"
            // when System.exit ends a failed start, though no signal was sent
            main.getShutdownStrategy().shutdown();
        }
        return main.getExitCode();
    }

    /**
     * Logging is configured from {@code logback.xml} next to the config file, so an admin can
     * change levels in /etc/b3lb-node without touching the jar. Must run before the first logger.
     */
    private static void useLogbackConfigBeside(Path configFile) {
        if (configFile == null || System.getProperty("logback.configurationFile") != null) {
            return;
        }
        Path candidate = configFile.toAbsolutePath().getParent().resolve("logback.xml");
        if (Files.isReadable(candidate)) {
            System.setProperty("logback.configurationFile", candidate.toString());
        }
    }
}
