package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.b3lb.node.cleanup.CleanupConfig;

/**
 * The settings an admin made in the old scripts, carried into b3lb-node's config and secret files. Only values
 * that differ are written, so a second run changes nothing; one b3lb-node has no key for becomes a note.
 */
final class SettingsCarry {

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

    /** Plans what the spec's scripts say; {@code b3lbToo}: B3LB's scripts decide protocol and endpoint. */
    void fromSpec(SpecScriptConfig spec, boolean b3lbToo, Report r) throws IOException {
        if (!b3lbToo) {
            want("b3lb.protocol", "spec", r, "the protocol of the spec's scripts");
            if (spec.endpoint() != null) {
                want("b3lb.upload.endpoint", spec.endpoint(), r, "B3LB_ENDPOINT in " + OldScripts.SPEC_PUSH);
            }
        } else if (spec.endpoint() != null) {
            r.note("B3LB_ENDPOINT of the spec's " + OldScripts.SPEC_PUSH + " not carried: B3LB's push.properties names the B3LB "
                    + "this node uploads to");
        }
        if (spec.recordingDir() != null) {
            want("b3lb.recording-dir", spec.recordingDir(), r, "B3LB_RECORDING_DIR in " + OldScripts.SPEC_PUSH);
        }
        Integer days = spec.retentionDays();
        if (days != null && days >= CleanupConfig.MIN_RETENTION_DAYS) {
            want("b3lb.cleaner.retention-days", days.toString(), r, "RETENTION_DAYS in " + OldScripts.SPEC_CLEANER);
        } else if (days != null) {
            r.note("RETENTION_DAYS=" + days + " in " + OldScripts.SPEC_CLEANER + " not carried: b3lb.cleaner.retention-days is at least "
                    + CleanupConfig.MIN_RETENTION_DAYS);
        }
        if (spec.secret() != null) {
            String inline = props.get("b3lb.upload.secret");
            if (inline != null && !inline.isEmpty() && props.get("b3lb.upload.secret-file") == null) {
                r.note("B3LB_NODE_SECRET not carried: b3lb.upload.secret is set inline in " + configFile + " and wins over the secret "
                        + "file; remove it there to use " + secretFile);
            } else if (!AtomicFiles.holdsSecret(secretFile, spec.secret())) {
                secret = spec.secret();
                r.plan("write the node secret (B3LB_NODE_SECRET in " + OldScripts.SPEC_PUSH + ") to " + secretFile + " (mode 0640)");
            }
        }
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
