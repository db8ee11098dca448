package org.b3lb.node.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Which B3LB the node talks to ({@code b3lb.protocol}): the written spec's, or a stock B3LB 3.x as
 * deployed. Each picks the defaults of the keys that differ between them from its profile,
 * {@code protocol-<name>.properties}; a key set in the file, the environment or an argument wins.
 * Those keys are not active lines of the installed config file: there they would count as set by
 * the admin and hide the other protocol's defaults.
 */
public enum Protocol {
    SPEC, B3LB;

    public static final String KEY = "b3lb.protocol";

    private static final String PROFILE_RESOURCE = "/b3lb/protocol-%s.properties";

    /** The protocol-dependent defaults. */
    public Properties profile() {
        return ConfigLocator.readResource(String.format(PROFILE_RESOURCE, name().toLowerCase(Locale.ROOT)));
    }

    /** Where a value from the profile says it came from: spec's are simply the built-in defaults. */
    String profileSource() {
        return this == SPEC ? "built-in default" : "b3lb.protocol=b3lb profile";
    }

    /**
     * The protocol decides which defaults apply, so it is resolved from the same layers (argument,
     * environment, file, default) before the other keys, and a bad value stops start-up here.
     */
    static Protocol resolve(Properties defaults, Properties file, Path configFile, Map<String, String> env,
            Map<String, String> overrides) {
        String value;
        String source;
        String name = Settings.environmentName(KEY);
        if (overrides.containsKey(KEY)) {
            value = overrides.get(KEY);
            source = "argument --" + KEY;
        } else if (env.get(name) != null) {
            value = env.get(name);
            source = "environment variable " + name;
        } else if (file.getProperty(KEY) != null) {
            value = file.getProperty(KEY);
            source = configFile.toString();
        } else {
            value = defaults.getProperty(KEY, "spec");
            source = "built-in default";
        }
        return switch (value.trim()) {
            case "spec" -> SPEC;
            case "b3lb" -> B3LB;
            default -> throw new ConfigException("invalid " + KEY + "='" + value + "' (from " + source
                    + "): must be spec (the written spec's protocol) or b3lb (a stock B3LB 3.x)");
        };
    }
}
