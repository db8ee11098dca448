package org.b3lb.node.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Finds and reads the admin's config file: {@code --config PATH}, else ./config/, else /etc/b3lb-node/. */
public final class ConfigLocator {

    public static final Path LOCAL = Path.of("config", "application.properties");
    public static final Path SYSTEM = Path.of("/etc/b3lb-node/application.properties");
    /** The profile for a checkout: no BBB, no root. */
    static final Path DEV = Path.of("config", "dev.properties");

    private ConfigLocator() {
    }

    /** @return the file to read (one given is checked by {@link #read}), or null when none exists and the built-in defaults apply */
    public static Path locate(Path explicit) {
        if (explicit != null) {
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

    static Properties readResource(String resource) {
        Properties p = new Properties();
        try (InputStream in = ConfigLocator.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("built-in defaults " + resource + " missing from the jar");
            }
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read built-in defaults", e);
        }
        return p;
    }

    static Properties read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("cannot read config file " + file + ": " + describe(e)
                    + "; fix the path given with --config or the file's permissions");
        }
        return p;
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
