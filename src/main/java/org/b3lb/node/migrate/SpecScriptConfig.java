package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings the spec's scripts hold in their own text (node-scripts.md): B3LB_ENDPOINT,
 * B3LB_NODE_SECRET and B3LB_RECORDING_DIR in /usr/local/bin/b3lb-push (shell), RETENTION_DAYS in
 * /usr/local/bin/b3lb-cleaner (Python). The spec's examples count as not set.
 */
record SpecScriptConfig(String endpoint, String secret, String recordingDir, Integer retentionDays) {

    static final String EXAMPLE_ENDPOINT = "https://bbb.example.com/b3lb/b/recording/upload";
    static final String EXAMPLE_SECRET = "your-node-secret-here";
    static final String DEFAULT_RECORDING_DIR = "/var/bigbluebutton/recording/status/archived";

    private static final Pattern RETENTION = Pattern.compile("(?m)^RETENTION_DAYS\\s*=\\s*([0-9]{1,5})\\b");

    static SpecScriptConfig read(Path push, Path cleaner) throws IOException {
        String p = OldScripts.read(push);
        String c = OldScripts.read(cleaner);
        String endpoint = p == null ? null : shellValue(p, "B3LB_ENDPOINT");
        String secret = p == null ? null : shellValue(p, "B3LB_NODE_SECRET");
        String dir = p == null ? null : shellValue(p, "B3LB_RECORDING_DIR");
        Integer days = null;
        if (c != null) {
            Matcher m = RETENTION.matcher(c);
            days = m.find() ? Integer.valueOf(m.group(1)) : null;
        }
        return new SpecScriptConfig(EXAMPLE_ENDPOINT.equals(endpoint) ? null : endpoint,
                EXAMPLE_SECRET.equals(secret) ? null : secret, dir, days);
    }

    /** {@code NAME="value"}, {@code NAME='value'} or {@code NAME=value} at a line's start; the first one counts. */
    static String shellValue(String script, String name) {
        Matcher m = Pattern.compile("(?m)^\\s*" + name + "=(?:\"([^\"\\n]*)\"|'([^'\\n]*)'|([^\\s#;]*))").matcher(script);
        if (!m.find()) {
            return null;
        }
        String v = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        return v.isEmpty() ? null : v;
    }
}
