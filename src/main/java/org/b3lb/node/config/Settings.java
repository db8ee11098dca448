package org.b3lb.node.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The effective configuration: built-in defaults, then the protocol profile
 * ({@code b3lb.protocol=b3lb} replaces some defaults), then the config file, then environment
 * variables (Camel's convention: {@code b3lb.load.port} &lt;- {@code B3LB_LOAD_PORT}), then
 * {@code --key=value} arguments. Each value remembers where it came from, so that an error can
 * tell the admin which file or variable to fix.
 */
public final class Settings {

    /** The built-in defaults: the same file that is installed as /etc/b3lb-node/application.properties. */
    static final String DEFAULTS_RESOURCE = "/b3lb/application.properties";

    /** The switch that picks a profile of defaults; each key set explicitly still wins over it. */
    public static final String PROTOCOL = "b3lb.protocol";

    /**
     * Defaults of the keys that differ per protocol, {@code protocol-<name>.properties}. They are not
     * active lines of the installed config file: there they would count as set by the admin and
     * hide the other protocol's defaults.
     */
    static final String PROFILE_RESOURCE = "/b3lb/protocol-%s.properties";

    static final String B3LB_PROFILE_SOURCE = "b3lb.protocol=b3lb profile";

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    private final Map<String, String> values;
    private final Map<String, String> sources;
    private final Path configFile;
    private final Set<String> knownKeys;

    private Settings(Map<String, String> values, Map<String, String> sources, Path configFile, Set<String> knownKeys) {
        this.values = values;
        this.sources = sources;
        this.configFile = configFile;
        this.knownKeys = knownKeys;
    }

    /**
     * @param configFile the admin's file, or null to use the built-in defaults alone
     * @param env        the process environment (a parameter so tests can supply their own)
     * @param overrides  values from {@code --key=value} arguments
     */
    public static Settings load(Path configFile, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Properties defaults = readResource(DEFAULTS_RESOURCE);
        put(values, sources, defaults, "built-in default");
        Properties file = configFile == null ? new Properties() : readFile(configFile);
        Protocol protocol = protocol(defaults, file, configFile, env, overrides);
        put(values, sources, profile(protocol),
                protocol == Protocol.SPEC ? "built-in default" : B3LB_PROFILE_SOURCE);
        Set<String> known = new TreeSet<>(defaults.stringPropertyNames());
        for (Protocol p : Protocol.values()) {
            known.addAll(profile(p).stringPropertyNames());
        }
        if (configFile != null) {
            put(values, sources, file, configFile.toString());
        }
        Set<String> keys = new TreeSet<>(values.keySet());
        keys.addAll(overrides.keySet());
        for (String key : keys) {
            String name = environmentName(key);
            String fromEnv = env.get(name);
            if (fromEnv != null) {
                values.put(key, fromEnv);
                sources.put(key, "environment variable " + name);
            }
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            values.put(o.getKey(), o.getValue());
            sources.put(o.getKey(), "argument --" + o.getKey());
        }
        return new Settings(values, sources, configFile, known);
    }

    /**
     * Under {@code b3lb.protocol=b3lb}, the protocol-dependent keys that are set somewhere to the
     * spec's default: almost always lines left from an older config file, which silently keep the
     * spec's behaviour (a load B3LB cannot parse, a wrong upload URL).
     */
    public List<String> specLeftovers() {
        if (protocol() != Protocol.B3LB) {
            return List.of();
        }
        Properties spec = profile(Protocol.SPEC);
        Properties b3lb = profile(Protocol.B3LB);
        return spec.stringPropertyNames().stream()
                .filter(k -> !B3LB_PROFILE_SOURCE.equals(source(k)) && spec.getProperty(k).equals(string(k)))
                .sorted()
                .map(k -> k + "=" + string(k) + " (from " + source(k) + ") keeps the spec's default under b3lb.protocol=b3lb; "
                        + "remove it to get " + b3lb.getProperty(k) + ", unless you mean it")
                .toList();
    }

    /** The protocol spoken with B3LB, validated when the settings were loaded. */
    public Protocol protocol() {
        return Protocol.valueOf(string(PROTOCOL).toUpperCase(Locale.ROOT));
    }

    /** Which B3LB the node talks to: the written spec's, or a stock B3LB 3.x as deployed. */
    public enum Protocol {
        SPEC, B3LB
    }

    /**
     * The protocol decides which defaults apply, so it is resolved from the same layers (argument,
     * environment, file, default) before the others, and a bad value stops start-up here.
     */
    private static Protocol protocol(Properties defaults, Properties file, Path configFile, Map<String, String> env,
            Map<String, String> overrides) {
        String value;
        String source;
        String name = environmentName(PROTOCOL);
        if (overrides.containsKey(PROTOCOL)) {
            value = overrides.get(PROTOCOL);
            source = "argument --" + PROTOCOL;
        } else if (env.get(name) != null) {
            value = env.get(name);
            source = "environment variable " + name;
        } else if (file.getProperty(PROTOCOL) != null) {
            value = file.getProperty(PROTOCOL);
            source = configFile.toString();
        } else {
            value = defaults.getProperty(PROTOCOL, "spec");
            source = "built-in default";
        }
        return switch (value.trim()) {
            case "spec" -> Protocol.SPEC;
            case "b3lb" -> Protocol.B3LB;
            default -> throw new ConfigException("invalid " + PROTOCOL + "='" + value + "' (from " + source
                    + "): must be spec (the written spec's protocol) or b3lb (a stock B3LB 3.x)");
        };
    }

    static Properties profile(Protocol protocol) {
        return readResource(String.format(PROFILE_RESOURCE, protocol.name().toLowerCase(Locale.ROOT)));
    }

    /** Camel's convention: upper case, dots and dashes become underscores. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Path configFile() {
        return configFile;
    }

    /** The directory of the config file, or the working directory when running on defaults. */
    public Path configDir() {
        if (configFile == null) {
            return Path.of("").toAbsolutePath();
        }
        Path parent = configFile.toAbsolutePath().getParent();
        return parent == null ? Path.of("/") : parent;
    }

    /** Every key and its effective value, for handing to Camel's property placeholders. */
    public Map<String, String> all() {
        return Collections.unmodifiableMap(values);
    }

    /**
     * {@code b3lb.*} keys set somewhere but unknown to this version: almost always a typo, which
     * would otherwise leave the default in force without a word.
     */
    public List<String> unknownKeys() {
        return values.keySet().stream()
                .filter(k -> k.startsWith("b3lb.") && !knownKeys.contains(k))
                .map(k -> k + " (from " + source(k) + ")")
                .sorted()
                .toList();
    }

    public boolean has(String key) {
        String v = values.get(key);
        return v != null && !v.isBlank();
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new ConfigException("missing " + key + ": no default and not set in " + where());
        }
        return v.trim();
    }

    public String source(String key) {
        return sources.getOrDefault(key, "nowhere");
    }

    public boolean bool(String key) {
        String v = string(key).toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw invalid(key, "must be true or false");
    }

    public int port(String key) {
        return intRange(key, 1, 65535, "must be a TCP port number 1-65535");
    }

    public int intRange(String key, int min, int max) {
        return intRange(key, min, max, "must be a whole number " + min + "-" + max);
    }

    private int intRange(String key, int min, int max, String allowed) {
        String v = string(key);
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the one-line message below
        }
        throw invalid(key, allowed);
    }

    /** A duration such as {@code 500ms}, {@code 5s}, {@code 10m}, {@code 2h}, {@code 7d}; a bare number is seconds. */
    public Duration duration(String key) {
        Matcher m = DURATION.matcher(string(key));
        if (!m.matches()) {
            throw invalid(key, "must be a duration such as 500ms, 5s, 10m, 2h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** A path; relative paths are taken from the working directory. */
    public Path path(String key) {
        String v = string(key);
        if (v.isEmpty()) {
            throw invalid(key, "must be a directory path");
        }
        return Path.of(v).toAbsolutePath().normalize();
    }

    /** The one-line error for a bad value. Keys that hold secrets never show their value. */
    public ConfigException invalid(String key, String allowed) {
        String shown = key.contains("secret") ? "(hidden)" : "'" + values.get(key) + "'";
        return new ConfigException("invalid " + key + "=" + shown + " (from " + source(key) + "): " + allowed);
    }

    private String where() {
        return configFile == null ? "the built-in defaults" : configFile.toString();
    }

    private static void put(Map<String, String> values, Map<String, String> sources, Properties p, String source) {
        for (String key : p.stringPropertyNames()) {
            values.put(key, p.getProperty(key));
            sources.put(key, source);
        }
    }

    private static Properties readResource(String resource) {
        Properties p = new Properties();
        try (InputStream in = Settings.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("built-in defaults " + resource + " missing from the jar");
            }
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read built-in defaults", e);
        }
        return p;
    }

    private static Properties readFile(Path file) {
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
