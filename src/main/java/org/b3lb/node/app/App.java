package org.b3lb.node.app;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.main.Main;
import org.b3lb.node.cleanup.CleanupCommand;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.ConfigLocator;
import org.b3lb.node.config.Settings;
import org.b3lb.node.upload.PushOnce;
import org.b3lb.node.upload.UploadConfig;

/**
 * {@code b3lb-node [run]} runs the service; {@code push --once} and {@code clean [--dry-run]}
 * run one pass of the same code and exit. Exit codes: 0 ok, 1 runtime failure, 2 bad configuration.
 */
public final class App {

    private App() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        try {
            CommandLine cl = CommandLine.parse(args);
            Path file = ConfigLocator.locate(cl.config());
            useLogbackConfigBeside(file);
            Settings settings = Settings.load(file, System.getenv(), cl.overrides());
            return switch (cl.command()) {
                case "run" -> {
                    cl.allowOnly();
                    yield serve(settings);
                }
                case "clean" -> {
                    cl.allowOnly("--dry-run");
                    yield CleanupCommand.run(settings, cl.has("--dry-run"), System.out);
                }
                case "push" -> {
                    cl.allowOnly("--once");
                    if (!cl.has("--once")) {
                        throw new ConfigException("push needs --once (the running service uploads continuously); " + CommandLine.USAGE);
                    }
                    yield push(settings);
                }
                default -> throw new ConfigException("unknown command '" + cl.command() + "'; " + CommandLine.USAGE);
            };
        } catch (ConfigException e) {
            System.err.println("b3lb-node: " + oneLine(e.getMessage()));
            return 2;
        }
    }

    /** A value quoted in the message may hold a line break (from an environment variable): keep the error one line. */
    static String oneLine(String message) {
        StringBuilder b = new StringBuilder(message.length());
        message.codePoints().forEach(c -> {
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
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
        Main main = NodeService.create(settings);
        NodeService.checkPorts(settings);
        try {
            main.run();
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            System.err.println("b3lb-node: failed to start: " + root.getMessage() + "; see the log lines above");
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
