package org.b3lb.node.upload;

import java.net.URI;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.hc.client5.http.utils.DateUtils;

/** Sorts an HTTP answer into success, transient (retry with backoff) and permanent (needs an admin). */
public final class FailureClassifier {

    /** Longer than any max-delay, short enough that no arithmetic on it overflows (Duration.toMillis). */
    static final Duration MAX_RETRY_AFTER = Duration.ofDays(36_500);

    private FailureClassifier() {
    }

    public static boolean success(int status) {
        return status >= 200 && status < 300;
    }

    /** curl --retry's list, plus every 5xx: a proxy in front of B3LB answers 502/504 while it restarts. */
    public static boolean transientStatus(int status) {
        return status == 408 || status == 429 || (status >= 500 && status < 600);
    }

    /** The likely fix for a status, for the one ERROR line an admin reads. */
    public static String hint(int status) {
        return switch (status) {
            case 401, 403 -> "B3LB refused the node secret: check b3lb.upload.secret-file (or b3lb.upload.secret) "
                    + "against the secret B3LB has for this node";
            case 404 -> "no upload endpoint there: check b3lb.upload.endpoint (B3LB's is https://<b3lb-host>/b3lb/b/recording/upload)";
            case 405 -> "the URL does not accept POST: check b3lb.upload.endpoint";
            case 413 -> "the server refused the size: raise the body size limit of the proxy in front of B3LB "
                    + "(nginx client_max_body_size)";
            case 400, 422 -> "B3LB rejected the request: check b3lb.upload.field and the B3LB server's log";
            default -> status >= 300 && status < 400
                    ? "the endpoint redirects: set b3lb.upload.endpoint to the final URL (often https:// instead of http://)"
                    : "check b3lb.upload.endpoint and the B3LB server's log";
        };
    }

    /**
     * A certificate this JVM does not trust (unknown CA, expired, wrong host name) only an admin can
     * fix: permanent, health DOWN. A handshake broken off otherwise (reset, timeout) is no such failure.
     *
     * @return the failure naming the fix, or null when {@code e} is no certificate problem
     */
    static UploadFailure untrustedTls(Throwable e, URI endpoint) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (c instanceof CertificateException || c instanceof CertPathValidatorException || c instanceof CertPathBuilderException
                    || c instanceof SSLPeerUnverifiedException
                    || c instanceof SSLHandshakeException && (m.contains("PKIX") || m.contains("certificate") || m.contains("subject alternative"))) {
                return new UploadFailure.Permanent(UploadFailure.UNTRUSTED_TLS, "the TLS certificate of " + endpoint.getHost() + " is not trusted (" + m
                        + "): check that b3lb.upload.endpoint names B3LB's host as its certificate does, and that its CA is in "
                        + "the JVM's trust store (the system's CA certificates: update-ca-certificates; or -Djavax.net.ssl.trustStore= added to "
                        + "JAVA_OPTS with systemctl edit b3lb-node)");
            }
        }
        return null;
    }

    /** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3); null when absent or unparsable (the backoff decides). */
    public static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // any number of digits: a server asking for more than a century gets a century, which max-delay caps anyway
            return v.length() > 12 || Long.parseLong(v) > MAX_RETRY_AFTER.toSeconds() ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(v));
        }
        Instant at = DateUtils.parseStandardDate(v); // RFC 9110's three date forms, or null
        return at == null ? null : at.isBefore(now) ? Duration.ZERO : Duration.between(now, at);
    }

    /**
     * The first line of an error answer, short, as {@code " (server said: ...)"}: enough to
     * recognise a B3LB or proxy message. Nothing of a 401/403 answer (it may echo what was sent),
     * and any 4+ character piece of the secret's start is masked: a body cut short may hold only part of it.
     */
    public static String snippet(int status, String body, String secret) {
        if (body == null || body.isBlank() || status == 401 || status == 403) {
            return "";
        }
        String s = (body.length() > 200 ? body.substring(0, 200) : body).strip();
        int nl = s.indexOf('\n');
        s = maskSecret((nl >= 0 ? s.substring(0, nl) : s).replaceAll("\\p{Cntrl}", " ").strip(), secret);
        return s.isEmpty() ? "" : " (server said: " + s + ")";
    }

    /** Masks the secret and every prefix of it of at least 4 characters. */
    static String maskSecret(String text, String secret) {
        String out = text;
        int n = secret == null ? 0 : secret.length();
        for (int len = n; len > 0 && (len == n || len >= 4); len--) {
            out = out.replace(secret.substring(0, len), "(hidden)");
        }
        return out;
    }
}
