package org.b3lb.node.config;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * tell the admin which file or variable to fix, and a relative path from the config file is taken
 * from the file's directory.
 */
public final class Settings {

    /** The built-in defaults: the same file that is installed as /etc/b3lb-node/application.properties. */
    static final String DEFAULTS_RESOURCE = "/b3lb/application.properties";

    /** Read by /usr/bin/b3lb-node, not by the service: no unknown setting. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("B3LB_NODE_AS_ROOT");

    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h|d)?");

    /** ASCII digits only: Integer.parseInt also takes Arabic-Indic and other Unicode digits. */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]{1,18}");

    /** Longest duration any setting takes: 100 years; beyond it a value is a typo, and it could overflow. */
    private static final Duration MAX_DURATION = Duration.ofDays(36_500);

    private final Map<String, String> values;
    private final Map<String, String> sources;
    private final Path configFile;
    private final List<String> unknown = new ArrayList<>();

    private Settings(Map<String, String> values, Map<String, String> sources, Path configFile) {
        this.values = values;
        this.sources = sources;
        this.configFile = configFile;
    }

    /**
     * @param configFile the admin's file, or null to use the built-in defaults alone
     * @param env        the process environment (a parameter so tests can supply their own)
     * @param overrides  values from {@code --key=value} arguments
     */
    public static Settings load(Path configFile, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Properties defaults = ConfigLocator.readResource(DEFAULTS_RESOURCE);
        put(values, sources, defaults, "built-in default");
        Set<String> known = new TreeSet<>(defaults.stringPropertyNames());
        for (Protocol p : Protocol.values()) {
            known.addAll(p.profile().stringPropertyNames());
        }
        if (configFile != null) {
            put(values, sources, ConfigLocator.read(configFile), configFile.toString());
        }
        Set<String> keys = new TreeSet<>(known);
        keys.addAll(values.keySet());
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
        Settings s = new Settings(values, sources, configFile);
        // the protocol, resolved from the layers above like any key, picks the defaults of the keys no layer set
        Protocol protocol = s.protocol();
        Properties profile = protocol.profile();
        profile.keySet().removeAll(values.keySet());
        put(values, sources, profile, protocol.profileSource());
        values.keySet().stream().filter(k -> k.startsWith("b3lb.") && !known.contains(k))
                .forEach(k -> s.unknown.add(k + " (from " + s.source(k) + ")"));
        Set<String> knownNames = new TreeSet<>(LAUNCHER_VARIABLES);
        known.forEach(k -> knownNames.add(environmentName(k)));
        env.keySet().stream().filter(n -> n.startsWith("B3LB_") && !knownNames.contains(n))
                .forEach(n -> s.unknown.add("environment variable " + n));
        Collections.sort(s.unknown);
        return s;
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
        Properties spec = Protocol.SPEC.profile();
        Properties b3lb = Protocol.B3LB.profile();
        return spec.stringPropertyNames().stream()
                .filter(k -> !Protocol.B3LB.profileSource().equals(source(k)) && spec.getProperty(k).equals(string(k)))
                .sorted()
                .map(k -> k + "=" + string(k) + " (from " + source(k) + ") keeps the spec's default under b3lb.protocol=b3lb; "
                        + "remove it to get " + b3lb.getProperty(k) + ", unless you mean it")
                .toList();
    }

    /** The protocol spoken with B3LB, validated when the settings were loaded. */
    public Protocol protocol() {
        return Protocol.of(this);
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
        return configFile == null ? Path.of("").toAbsolutePath() : configFile.toAbsolutePath().getParent();
    }

    /** Every key and its effective value, for handing to Camel's property placeholders. */
    public Map<String, String> all() {
        return Collections.unmodifiableMap(values);
    }

    /**
     * {@code b3lb.*} keys and {@code B3LB_*} environment variables set but unknown to this version:
     * almost always a typo (or a name of other node scripts), which would otherwise leave the
     * default in force without a word.
     */
    public List<String> unknownKeys() {
        return Collections.unmodifiableList(unknown);
    }

    public boolean has(String key) {
        String v = values.get(key);
        return v != null && !v.isBlank();
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new ConfigException("missing " + key + ": no default and not set in "
                    + (configFile == null ? "the built-in defaults" : configFile.toString()));
        }
        return v.trim();
    }

    public String source(String key) {
        return sources.getOrDefault(key, "nowhere");
    }

    public boolean bool(String key) {
        return switch (string(key).toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "must be true or false");
        };
    }

    /** An IP address or host name to listen on. */
    public String host(String key) {
        String h = string(key);
        if (h.isEmpty() || h.contains(" ") || h.contains("/")) {
            throw invalid(key, "must be an IP address or host name to listen on, e.g. 127.0.0.1");
        }
        return h;
    }

    public int port(String key) {
        return intRange(key, 1, 65535, "must be a TCP port number 1-65535");
    }

    public int intRange(String key, int min, int max) {
        return intRange(key, min, max, "must be a whole number " + min + "-" + max);
    }

    private int intRange(String key, int min, int max, String allowed) {
        String v = string(key);
        if (WHOLE_NUMBER.matcher(v).matches()) {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return (int) n;
            }
        }
        throw invalid(key, allowed);
    }

    /** A duration such as {@code 500ms}, {@code 5s}, {@code 10m}, {@code 2h}, {@code 7d}; a bare number is seconds. */
    public Duration duration(String key) {
        Matcher m = DURATION.matcher(string(key));
        if (!m.matches()) {
            throw invalid(key, "must be a duration such as 500ms, 5s, 10m, 2h or 7d");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        // compared in milliseconds of a BigInteger: 99999999999999999999 or 9999999999999d must not overflow
        BigInteger millis = new BigInteger(m.group(1)).multiply(BigInteger.valueOf(switch (unit) {
            case "ms" -> 1L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 1_000L;
        }));
        if (millis.compareTo(BigInteger.valueOf(MAX_DURATION.toMillis())) > 0) {
            throw invalid(key, "must be at most 36500d (100 years), e.g. 5s, 10m or 7d");
        }
        return Duration.ofMillis(millis.longValueExact());
    }

    /** A path; a relative one is taken from the config file's directory if it is the file's, else from the working directory. */
    public Path path(String key) {
        String v = string(key);
        if (v.isEmpty()) {
            throw invalid(key, "must be a directory path");
        }
        boolean fromFile = configFile != null && configFile.toString().equals(source(key));
        return (fromFile ? configDir().resolve(v) : Path.of(v)).toAbsolutePath().normalize();
    }

    /** The one-line error for a bad value. Keys that hold secrets never show their value. */
    public ConfigException invalid(String key, String allowed) {
        String shown = key.contains("secret") ? "(hidden)" : "'" + values.get(key) + "'";
        return new ConfigException("invalid " + key + "=" + shown + " (from " + source(key) + "): " + allowed);
    }

    private static void put(Map<String, String> values, Map<String, String> sources, Properties p, String source) {
        for (String key : p.stringPropertyNames()) {
            values.put(key, p.getProperty(key));
            sources.put(key, source);
        }
    }
}
