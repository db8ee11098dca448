package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every key of the installed config file, given bad values an admin or a broken deployment
 * script could produce. Each value is either accepted (where it is a legitimate setting) or stops
 * start-up the way {@code b3lb-node run} does: exit code 2 and exactly one line on stderr naming
 * the key. In-process through {@link App#run}; StartupFailureTest forks the JVM for a few.
 */
class ConfigFuzzTest {

    private static final List<String> VALUES = List.of("", " ", "-1", "0", "99999999999999999999", "9999999999999d",
            "\u0668\u0660\u0668\u0660", "1 2", "garbage", "\u00fcn\u00ef", "true ", "-5s", "1\n2", "\u0000");

    private static final Set<String> BOOLEAN_TRUE = Set.of("true ");

    /** Per key, the fuzz values that are legitimate settings; every other value must be refused. */
    private static final Map<String, Predicate<String>> ACCEPTED = new LinkedHashMap<>();

    static {
        // any non-blank name is a relative path from the working directory, missing until the hook creates it
        ACCEPTED.put("b3lb.recording-dir", v -> !v.isBlank() && !v.contains("\u0000"));
        ACCEPTED.put("b3lb.routes-dir", v -> false);
        for (String b : List.of("b3lb.routes.reload", "b3lb.load.enabled", "b3lb.cleaner.enabled", "b3lb.cleaner.dry-run",
                "b3lb.upload.enabled")) {
            ACCEPTED.put(b, BOOLEAN_TRUE::contains);
        }
        // "0" is 0.0.0.0 for the resolver: every local address
        ACCEPTED.put("b3lb.load.host", "0"::equals);
        ACCEPTED.put("b3lb.management.host", "0"::equals);
        ACCEPTED.put("b3lb.http.idle-timeout", v -> false);
        ACCEPTED.put("b3lb.http.max-connections", v -> false);
        ACCEPTED.put("b3lb.load.port", v -> false);
        ACCEPTED.put("b3lb.management.port", v -> false);
        ACCEPTED.put("b3lb.load.format", v -> false);
        ACCEPTED.put("b3lb.cleaner.cron", v -> false);
        // blank (trimmed, as every value): the host's zone; -1 is the offset UTC-01:00
        ACCEPTED.put("b3lb.cleaner.time-zone", v -> v.trim().isEmpty() || v.equals("-1"));
        ACCEPTED.put("b3lb.cleaner.retention-days", v -> false);
        ACCEPTED.put("b3lb.upload.endpoint", v -> false);
        ACCEPTED.put("b3lb.upload.field", v -> v.trim().matches("[A-Za-z0-9._-]+"));
        ACCEPTED.put("b3lb.upload.secret", v -> v.trim().matches("[!-~][ -~]*"));
        // blank: the inline secret of the base settings is used
        ACCEPTED.put("b3lb.upload.secret-file", String::isBlank);
        for (String d : List.of("b3lb.upload.poll-delay", "b3lb.upload.initial-delay", "b3lb.upload.max-delay",
                "b3lb.upload.connect-timeout", "b3lb.upload.idle-timeout")) {
            ACCEPTED.put(d, v -> false);
        }
        ACCEPTED.put("b3lb.upload.max-redeliveries", "0"::equals);
        ACCEPTED.put("b3lb.protocol", v -> false);
        ACCEPTED.put("b3lb.load.source", v -> false);
        // blank: the disk guard is off
        ACCEPTED.put("b3lb.cleaner.min-free", v -> v.trim().isEmpty());
        ACCEPTED.put("b3lb.cleaner.guard-interval", v -> false);
        ACCEPTED.put("b3lb.cleaner.delete-bbb-recording", BOOLEAN_TRUE::contains);
        // a program path: any name without blanks or control characters (it is only run when enabled)
        ACCEPTED.put("b3lb.cleaner.bbb-record-command", v -> v.trim().matches("[^\\s\\p{Cntrl}]+"));
        ACCEPTED.put("b3lb.upload.concurrency", v -> false);
        // blank: no pause; 0 (percent): paused whenever the figure is above 0; a hold of 0 s resumes at once
        ACCEPTED.put("b3lb.upload.pause-above", v -> v.isBlank() || v.equals("0"));
        ACCEPTED.put("b3lb.upload.pause-hold", "0"::equals);
        ACCEPTED.put("b3lb.upload.hours", String::isBlank);
        // blank: no cap; a size of at least 64K (binary units, no space) is a cap
        ACCEPTED.put("b3lb.upload.max-rate", v -> v.isBlank() || org.b3lb.node.config.Sizes.parseBytes(v) >= 64 << 10);
    }

    @TempDir
    Path dir;

    @Test
    void everyKeyOfTheInstalledConfigIsCovered() throws Exception {
        Properties installed = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("config/application.properties"))) {
            installed.load(in);
        }
        // and the protocol-dependent keys, which the installed file shows only as comments
        java.util.Set<String> keys = new java.util.TreeSet<>(installed.stringPropertyNames());
        keys.addAll(org.b3lb.node.config.Protocol.B3LB.profile().stringPropertyNames());
        assertThat(ACCEPTED.keySet()).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void eachBadValueStopsWithOneLineAndExitTwo() throws Exception {
        // the secret in the file: on the command line it is refused (issue 10 D4)
        Path config = Files.writeString(dir.resolve("application.properties"),
                "b3lb.upload.secret=" + RunningNode.TEST_SECRET + "\n");
        Path secretBeside = dir.resolve("secret");
        Files.deleteIfExists(secretBeside);
        List<String> failures = new ArrayList<>();
        int refused = 0;
        for (Map.Entry<String, Predicate<String>> key : ACCEPTED.entrySet()) {
            for (String value : VALUES) {
                Map<String, String> o = base();
                o.put(key.getKey(), value);
                boolean legit = key.getValue().test(value);
                String what = key.getKey() + "=" + App.oneLine("'" + value + "'");
                ConfigException refusal = validate(config, o);
                if (legit) {
                    if (refusal != null) {
                        failures.add(what + " is legitimate but was refused: " + refusal.getMessage());
                    }
                    continue;
                }
                if (refusal == null) {
                    failures.add(what + " was accepted");
                    continue;
                }
                refused++;
                // the same values through the real entry point: it stops before Camel starts
                List<String> args = new ArrayList<>(List.of("--config", config.toString()));
                o.forEach((k, v) -> args.add("--" + k + "=" + v));
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                PrintStream saved = System.err;
                int exit;
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                try {
                    exit = App.run(args.toArray(String[]::new));
                } finally {
                    System.setErr(saved);
                }
                String stderr = err.toString(StandardCharsets.UTF_8);
                if (exit != 2 || stderr.lines().count() != 1 || !stderr.endsWith("\n")
                        || !stderr.startsWith("b3lb-node: ") || !stderr.contains(key.getKey())) {
                    failures.add(what + ": exit " + exit + ", stderr " + App.oneLine(stderr));
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(refused).isGreaterThan(200);
    }

    /** What {@code b3lb-node run} checks before Camel starts; null when the settings are accepted. */
    private static ConfigException validate(Path config, Map<String, String> overrides) {
        try {
            Settings s = Settings.load(config, Map.of(), overrides);
            NodeService.create(s);
            NodeService.checkPorts(s);
            return null;
        } catch (ConfigException e) {
            return e;
        }
    }

    private Map<String, String> base() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("b3lb.recording-dir", dir.resolve("rec").toString());
        o.put("b3lb.routes-dir", RunningNode.REPO_ROUTES.toString());
        o.put("b3lb.load.port", Integer.toString(AvailablePortFinder.getNextAvailable()));
        o.put("b3lb.management.port", Integer.toString(AvailablePortFinder.getNextAvailable()));
        o.put("b3lb.upload.endpoint", "http://127.0.0.1:9/upload");
        return o;
    }
}
