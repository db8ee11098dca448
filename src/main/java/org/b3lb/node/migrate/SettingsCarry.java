package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.b3lb.node.cleanup.CleanupConfig;

/**
 * The settings an admin made in the old scripts, carried into b3lb-node's config and secret files. Only values
 * that differ are written, so a second run changes nothing; one b3lb-node has no key for becomes a note.
 */
final class SettingsCarry {

    static final String EXAMPLE_ENDPOINT = "https://bbb.example.com/b3lb/b/recording/upload";
    static final String EXAMPLE_SECRET = "your-node-secret-here";
    private static final Pattern RETENTION = Pattern.compile("(?m)^RETENTION_DAYS\\s*=\\s*([0-9]{1,5})\\b");

    private final Path configFile;
    private final PropertiesFile props;
    private final Map<String, String> keys = new LinkedHashMap<>();
    private final Path secretFile;
    private String secret;

    SettingsCarry(Path configFile, PropertiesFile props, Path secretFile) {
        this.configFile = configFile;
        this.props = props;
        this.secretFile = secretFile;
    }

    void fromB3lb(B3lbPushConfig b3lb, String from, Report r) {
        want("b3lb.protocol", "b3lb", r, "B3LB 3.x's own protocol, as its scripts spoke it");
        String endpoint = b3lb.endpoint();
        if (endpoint == null) {
            r.note("b3lbBaseDomain in " + from + " is empty or B3LB's example: set b3lb.upload.endpoint=https://<your B3LB>/"
                    + B3lbPushConfig.UPLOAD_PATH + " in " + configFile);
        } else {
            want("b3lb.upload.endpoint", endpoint, r, "b3lbBaseDomain " + b3lb.baseDomain() + " + " + B3lbPushConfig.UPLOAD_PATH);
        }
        java.util.Properties spec = org.b3lb.node.config.Protocol.SPEC.profile();
        for (String key : new java.util.TreeSet<>(spec.stringPropertyNames())) {
            if (!key.equals("b3lb.upload.endpoint") && spec.getProperty(key).equals(props.get(key))) {
                r.note(key + "=" + props.get(key) + " in " + configFile + " is the spec's value and wins over b3lb.protocol=b3lb's "
                        + org.b3lb.node.config.Protocol.B3LB.profile().getProperty(key) + "; remove that line unless you mean it");
            }
        }
        hookSetting(b3lb.nonceMetaTag(), B3lbPushConfig.DEFAULT_TAG, "B3LB_RECORD_META_TAG", "nonceMetaTag", from, r);
        hookSetting(b3lb.publishedFolder(), B3lbPushConfig.DEFAULT_PUBLISHED, "B3LB_PUBLISHED_DIR", "publishedFolder", from, r);
    }

    /**
     * Plans what the spec's scripts hold in their own text (node-scripts.md): B3LB_ENDPOINT, B3LB_NODE_SECRET and
     * B3LB_RECORDING_DIR in its b3lb-push (shell), RETENTION_DAYS in its b3lb-cleaner (Python); the spec's examples
     * count as not set. {@code b3lbToo}: B3LB's scripts decide protocol and endpoint.
     * @param push    the text of the spec's b3lb-push, or null
     * @param cleaner the text of its b3lb-cleaner, or null
     */
    void fromSpec(String push, String cleaner, boolean b3lbToo, Report r) throws IOException {
        String endpoint = shellValue(push, "B3LB_ENDPOINT", EXAMPLE_ENDPOINT);
        String specSecret = shellValue(push, "B3LB_NODE_SECRET", EXAMPLE_SECRET);
        String recordingDir = shellValue(push, "B3LB_RECORDING_DIR", null);
        Matcher retention = RETENTION.matcher(cleaner == null ? "" : cleaner);
        Integer days = retention.find() ? Integer.valueOf(retention.group(1)) : null;
        if (!b3lbToo) {
            want("b3lb.protocol", "spec", r, "the protocol of the spec's scripts");
            if (endpoint != null) {
                want("b3lb.upload.endpoint", endpoint, r, "B3LB_ENDPOINT in " + OldScripts.SPEC_PUSH);
            }
        } else if (endpoint != null) {
            r.note("B3LB_ENDPOINT of the spec's " + OldScripts.SPEC_PUSH + " not carried: B3LB's push.properties names the B3LB "
                    + "this node uploads to");
        }
        if (recordingDir != null) {
            want("b3lb.recording-dir", recordingDir, r, "B3LB_RECORDING_DIR in " + OldScripts.SPEC_PUSH);
        }
        if (days != null && days >= CleanupConfig.MIN_RETENTION_DAYS) {
            want("b3lb.cleaner.retention-days", days.toString(), r, "RETENTION_DAYS in " + OldScripts.SPEC_CLEANER);
        } else if (days != null) {
            r.note("RETENTION_DAYS=" + days + " in " + OldScripts.SPEC_CLEANER + " not carried: b3lb.cleaner.retention-days is at least "
                    + CleanupConfig.MIN_RETENTION_DAYS);
        }
        if (specSecret != null) {
            String inline = props.get("b3lb.upload.secret");
            if (inline != null && !inline.isEmpty() && props.get("b3lb.upload.secret-file") == null) {
                r.note("B3LB_NODE_SECRET not carried: b3lb.upload.secret is set inline in " + configFile + " and wins over the secret "
                        + "file; remove it there to use " + secretFile);
            } else if (!AtomicFiles.holdsSecret(secretFile, specSecret)) {
                secret = specSecret;
                r.plan("write the node secret (B3LB_NODE_SECRET in " + OldScripts.SPEC_PUSH + ") to " + secretFile + " (mode 0640)");
            }
        }
    }

    /** {@code NAME="value"}, {@code NAME='value'} or {@code NAME=value} at a line's start, the first one; null when empty or the example. */
    static String shellValue(String script, String name, String example) {
        Matcher m = Pattern.compile("(?m)^\\s*" + name + "=(?:\"([^\"\\n]*)\"|'([^'\\n]*)'|([^\\s#;]*))").matcher(script == null ? "" : script);
        if (!m.find()) {
            return null;
        }
        String v = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        return v.isEmpty() || v.equals(example) ? null : v;
    }

    boolean changes() {
        return !keys.isEmpty() || secret != null;
    }

    /** The value the config file will have for key after {@link #apply}, or empty when it sets none. */
    Optional<String> planned(String key) {
        return Optional.ofNullable(keys.getOrDefault(key, props.get(key)));
    }

    void apply(Report r) {
        if (!keys.isEmpty()) {
            keys.forEach(props::set);
            try {
                props.write();
                r.done("set " + String.join(", ", keys.keySet()) + " in " + configFile);
            } catch (IOException e) {
                r.failed("cannot write " + configFile + ": " + e.getMessage() + "; nothing of it was changed");
            }
        }
        if (secret != null) {
            try {
                AtomicFiles.writeSecret(secretFile, secret);
                r.done("wrote the node secret to " + secretFile);
            } catch (IOException e) {
                r.failed("cannot write the secret file " + secretFile + ": " + e.getClass().getSimpleName()
                        + "; write B3LB_NODE_SECRET of " + OldScripts.SPEC_PUSH + " there by hand (mode 0640)");
            }
        }
    }

    private void want(String key, String value, Report r, String why) {
        if (!value.equals(props.get(key)) && !value.equals(keys.get(key))) {
            keys.put(key, value);
            r.plan("set " + key + "=" + value + " in " + configFile + " (" + why + ")");
        }
    }

    /** The hook reads these from its environment only: a value other than its default becomes the command that sets it there. */
    private static void hookSetting(String value, String hookDefault, String env, String b3lbKey, String from, Report r) {
        if (!value.equals(hookDefault)) {
            r.note(b3lbKey + "=" + value + " in " + from + ": b3lb-node's hook reads it from " + env + " only; run "
                    + "systemctl edit bbb-rap-resque-worker.service, add [Service] Environment=" + env + "=" + value
                    + ", then systemctl restart bbb-rap-resque-worker.service");
        }
    }
}
