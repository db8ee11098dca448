package org.b3lb.node.upload;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.b3lb.node.config.Protocol;
import org.b3lb.node.config.ProtocolInUse;
import org.b3lb.node.config.Sizes;

/**
 * The upload route's settings, checked before Camel starts. The secret is kept out of
 * {@link #toString()}: records print every component, and a config object ends up in logs.
 */
public record UploadConfig(boolean enabled, Path recordingDir, URI endpoint, String field, String secret,
                           Duration pollDelay, int maxRedeliveries, Duration initialDelay, Duration maxDelay,
                           Duration connectTimeout, Duration idleTimeout, int concurrency, Protocol protocol,
                           Path secretFile, long maxRate, PauseRules pause) {

    public static UploadConfig from(Settings s) {
        boolean enabled = s.bool("b3lb.upload.enabled");
        Path dir = s.path("b3lb.recording-dir");
        URI endpoint = endpoint(s);
        String field = s.string("b3lb.upload.field");
        if (!field.matches("[A-Za-z0-9._-]+")) {
            throw s.invalid("b3lb.upload.field", "must be a form field name of letters, digits, '.', '_' or '-', e.g. recording");
        }
        Duration pollDelay = positive(s, "b3lb.upload.poll-delay");
        int maxRedeliveries = s.intRange("b3lb.upload.max-redeliveries", 0, 100);
        Duration initialDelay = positive(s, "b3lb.upload.initial-delay");
        Duration maxDelay = positive(s, "b3lb.upload.max-delay");
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw s.invalid("b3lb.upload.max-delay", "must be at least b3lb.upload.initial-delay (" + initialDelay + ")");
        }
        Duration connectTimeout = positive(s, "b3lb.upload.connect-timeout");
        Duration idleTimeout = positive(s, "b3lb.upload.idle-timeout");
        int concurrency = s.intRange("b3lb.upload.concurrency", 1, 64);
        // a node that does not upload needs no secret, even where the packaged secret file is empty
        String secret;
        try {
            secret = !enabled ? "" : s.protocol() == Protocol.B3LB ? optionalSecret(s) : secret(s);
        } catch (ConfigException e) {
            throw ProtocolInUse.of(s.protocol(), endpoint).explainMissingSecret(e);
        }
        return new UploadConfig(enabled, dir, endpoint, field, secret, pollDelay, maxRedeliveries, initialDelay,
                maxDelay, connectTimeout, idleTimeout, concurrency, s.protocol(),
                // nothing to watch where there is no secret (b3lb.protocol=b3lb with the empty packaged file)
                enabled && !secret.isEmpty() ? secretFile(s) : null, maxRate(s),
                PauseRules.from(s)); // b3lb.upload.pause-above, pause-hold, hours
    }

    /** Below this a value is a unit mistake (max-rate=100 meant as Mbit/s), not a cap: a 1 GiB recording would take 4.5 h. */
    static final long MIN_RATE = 64 << 10;

    /** b3lb.upload.max-rate in bytes per second; 0: no cap. */
    private static long maxRate(Settings s) {
        if (!s.has("b3lb.upload.max-rate")) {
            return 0;
        }
        long rate = Sizes.parseBytes(s.string("b3lb.upload.max-rate"));
        if (rate < MIN_RATE) {
            throw s.invalid("b3lb.upload.max-rate", "must be bytes per second, at least 64K, in binary units without a space, "
                    + "e.g. 50M (50 MiB/s, about 420 Mbit/s) or 800K; empty for no cap");
        }
        return rate;
    }

    /** B3LB 3.x's upload view asks for no secret (the nonce is the credential). */
    public boolean b3lb() {
        return protocol == Protocol.B3LB;
    }

    /**
     * Under b3lb.protocol=b3lb B3LB reads no secret: one is sent only when configured (for a proxy
     * in front of B3LB that checks it), and the empty file the package creates means none.
     */
    private static String optionalSecret(Settings s) {
        boolean besideHasOne = s.configDir().resolve("secret").toFile().length() > 0; // 0 when missing
        return s.has("b3lb.upload.secret-file") || s.has("b3lb.upload.secret") || besideHasOne ? secret(s) : "";
    }

    /** The secret from {@link #secretFile}, else the inline {@code b3lb.upload.secret}, else a one-line error. */
    private static String secret(Settings s) {
        Path file = secretFile(s);
        if (file != null) {
            return headerSafe(s, "b3lb.upload.secret-file", secretFileText(file, s.has("b3lb.upload.secret-file")
                    ? "b3lb.upload.secret-file (from " + s.source("b3lb.upload.secret-file") + ")"
                    : "the default secret file, next to the config file"));
        }
        String inline = s.has("b3lb.upload.secret") ? s.string("b3lb.upload.secret") : "";
        if (!inline.isEmpty()) {
            return headerSafe(s, "b3lb.upload.secret", inline);
        }
        throw new ConfigException("no node secret but upload is enabled: write the secret B3LB knows this node by into "
                + s.configDir().resolve("secret") + " (readable only by the service's user), or point b3lb.upload.secret-file "
                + "(B3LB_UPLOAD_SECRET_FILE) at a file holding it, or set b3lb.upload.enabled=false");
    }

    /**
     * The secret's file, which the running route watches; null for an inline secret. First match
     * wins: {@code b3lb.upload.secret-file} when set (the file wins over the inline value), else
     * none when {@code b3lb.upload.secret} is set, else the file {@code secret} next to the config
     * file when it exists (/etc/b3lb-node/secret, which the Debian package creates), so a packaged
     * node needs no setting for it at all.
     */
    private static Path secretFile(Settings s) {
        if (s.has("b3lb.upload.secret-file")) {
            return s.path("b3lb.upload.secret-file");
        }
        if (s.has("b3lb.upload.secret") && !s.string("b3lb.upload.secret").isEmpty()) {
            return null;
        }
        Path beside = s.configDir().resolve("secret");
        return Files.exists(beside) ? beside : null;
    }

    /** A node secret is a short token; a bigger file (or /dev/zero) is a wrong path, and is never read past this. */
    static final int MAX_SECRET_FILE_BYTES = 4096;

    /** The secret in {@code file}, checked for everything but its characters ({@link #headerProblem}). */
    static String secretFileText(Path file, String what) {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // checked before opening: a FIFO would block the start, a device never end
            throw new ConfigException("the node secret file " + file + ", " + what + ", is not a regular file; "
                    + "point it at a file holding the node secret");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_SECRET_FILE_BYTES + 1);
        } catch (IOException | RuntimeException e) {
            // the exception's own message may name the path but never the content
            throw new ConfigException("cannot read the node secret from " + file + ", " + what + " ("
                    + (Files.exists(file) ? "permission denied or not a text file" : "no such file")
                    + "); create it with the node secret or fix its permissions for the service's user");
        }
        if (bytes.length > MAX_SECRET_FILE_BYTES) {
            throw new ConfigException("the node secret file " + file + ", " + what + ", is larger than "
                    + MAX_SECRET_FILE_BYTES + " bytes, so it is not a secret file; point it at the file holding the node secret");
        }
        // one trailing line break, as echo and editors leave it
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replaceFirst("\\r?\\n\\z", "");
        if (text.isEmpty()) {
            throw new ConfigException("the node secret file " + file + ", " + what + ", is empty; write the secret B3LB "
                    + "knows this node by into it: printf '%s' 'THE-SECRET' > " + file);
        }
        return text;
    }

    /**
     * The secret travels as an HTTP header, which carries only ASCII safely (Java sends other
     * characters as '?'); line breaks and control characters would split the header. So one line
     * of printable ASCII, which every B3LB-generated secret is.
     */
    private static String headerSafe(Settings s, String key, String secret) {
        String problem = headerProblem(secret);
        if (problem != null) {
            throw s.invalid(key, problem);
        }
        return secret;
    }

    /** @return why {@code secret} cannot travel as a header, or null when it can */
    static String headerProblem(String secret) {
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return c < 0x20 || c == 0x7f
                        ? "the secret contains a line break or control character; it must be one line of text"
                        : "the secret must be printable ASCII (letters, digits, punctuation, spaces): HTTP headers"
                        + " carry nothing else; copy it again from B3LB";
            }
        }
        return null;
    }

    private static URI endpoint(Settings s) {
        String v = s.string("b3lb.upload.endpoint");
        try {
            URI u = URI.create(v);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
                    && u.getUserInfo() == null && u.getFragment() == null && u.getPort() <= 65535 && u.getPort() != 0
                    && v.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the one-line message below
        }
        throw s.invalid("b3lb.upload.endpoint",
                "must be an http:// or https:// URL without user info, of ASCII characters, with a port 1-65535 if any, "
                        + "e.g. https://bbb.example.com/b3lb/b/recording/upload");
    }

    private static Duration positive(Settings s, String key) {
        Duration d = s.duration(key);
        if (d.isZero()) {
            throw s.invalid(key, "must be longer than zero, e.g. 500ms, 5s or 10m");
        }
        return d;
    }

    @Override
    public String toString() {
        return "UploadConfig[enabled=" + enabled + ", recordingDir=" + recordingDir + ", endpoint=" + endpoint
                + ", field=" + field + ", secret=(hidden), pollDelay=" + pollDelay + ", maxRedeliveries=" + maxRedeliveries
                + ", initialDelay=" + initialDelay + ", maxDelay=" + maxDelay + ", connectTimeout=" + connectTimeout
                + ", idleTimeout=" + idleTimeout + ", concurrency=" + concurrency + ", protocol=" + protocol
                + ", secretFile=" + (secretFile == null ? "none" : secretFile) + ", maxRate=" + maxRate + ", pause=" + pause + "]";
    }
}
