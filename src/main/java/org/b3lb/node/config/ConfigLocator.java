package org.b3lb.node.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the admin's config file: {@code --config PATH}, else ./config/, else /etc/b3lb-node/. */
public final class ConfigLocator {

    public static final Path LOCAL = Path.of("config", "application.properties");
    public static final Path SYSTEM = Path.of("/etc/b3lb-node/application.properties");
    /** The profile for a checkout: no BBB, no root. */
    static final Path DEV = Path.of("config", "dev.properties");

    private ConfigLocator() {
    }

    /** @return the file to read, or null when none exists and the built-in defaults apply */
    public static Path locate(Path explicit) {
        if (explicit != null) {
            if (!Files.isReadable(explicit)) {
                throw new ConfigException("cannot read config file " + explicit
                        + (Files.exists(explicit) ? ": permission denied" : ": no such file")
                        + "; fix the path given with --config or the file's permissions");
            }
            return explicit;
        }
        if (Files.isRegularFile(LOCAL)) {
            return LOCAL;
        }
        if (Files.isRegularFile(SYSTEM)) {
            return SYSTEM;
        }
        return null;
    }

    /**
     * In a repository checkout run with another config than {@link #DEV} (./config/application.properties
     * is the node's), the fix for a missing directory: the dev profile; else "".
     */
    public static String checkoutFix(Path configFile) {
        boolean checkout = Files.isDirectory(Path.of("routes")) && Files.isRegularFile(DEV);
        boolean dev = configFile != null && configFile.toAbsolutePath().normalize().equals(DEV.toAbsolutePath());
        return checkout && !dev ? "; this is a checkout: run with --config " + DEV : "";
    }
}
