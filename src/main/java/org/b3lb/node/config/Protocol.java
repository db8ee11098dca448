package org.b3lb.node.config;

import java.util.Locale;
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

    /** The protocol {@code s} names; a bad value stops start-up with one line naming the fix. */
    static Protocol of(Settings s) {
        return switch (s.string(KEY)) {
            case "spec" -> SPEC;
            case "b3lb" -> B3LB;
            default -> throw s.invalid(KEY, "must be spec (the written spec's protocol) or b3lb (a stock B3LB 3.x)");
        };
    }

    /** Where a value from the profile says it came from: spec's are simply the built-in defaults. */
    String profileSource() {
        return this == SPEC ? "built-in default" : "b3lb.protocol=b3lb profile";
    }
}
