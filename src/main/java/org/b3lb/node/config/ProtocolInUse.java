package org.b3lb.node.config;

import java.net.URI;
import java.util.Locale;

/**
 * The protocol the node speaks with B3LB and where it uploads, as the start-up log, {@code status}
 * and the upload health check show them: the endpoint without its query (or user info), which may
 * carry a token. Also tells an endpoint of the other protocol's shape apart, the usual sign of a
 * {@code b3lb.protocol} left at its default.
 *
 * @param endpoint the upload URL without its query, or null when upload is disabled
 */
public record ProtocolInUse(Protocol protocol, String endpoint) {

    /** The registry name {@code status} looks it up by. */
    public static final String BEAN_NAME = "b3lbProtocolInUse";
    /** Stock B3LB 3.x's upload view (b3lb-push: {@code <b3lbBaseDomain>b3lb/b/record/upload}). */
    public static final String B3LB_PATH = "/b3lb/b/record/upload";
    /** The node-scripts document's example endpoint path. */
    public static final String SPEC_PATH = "/b3lb/b/recording/upload";

    public static ProtocolInUse of(Protocol protocol, URI endpoint) {
        return new ProtocolInUse(protocol, endpoint == null ? null : shown(endpoint));
    }

    /** {@code b3lb} or {@code spec}, as written in {@code b3lb.protocol}. */
    public String key() {
        return protocol.name().toLowerCase(Locale.ROOT);
    }

    /** The key with what it means to an operator. */
    public String described() {
        return Protocol.KEY + "=" + key() + (protocol == Protocol.B3LB ? " (a stock B3LB 3.x)"
                : " (the protocol of the node-scripts document)");
    }

    /** The one start-up line. */
    public String startupLine() {
        return "Talking to B3LB with " + described() + "; " + (endpoint == null
                ? "upload disabled (b3lb.upload.enabled=false)" : "uploading to " + endpoint);
    }

    /**
     * The WARN for an endpoint of the other protocol's shape, or null. Not a refusal: a proxy in
     * front of B3LB may rewrite paths.
     */
    public String mismatch() {
        if (endpoint == null) {
            return null;
        }
        if (protocol == Protocol.SPEC && b3lbShaped(endpoint)) {
            return "b3lb.upload.endpoint " + endpoint + " ends in " + B3LB_PATH + ", a stock B3LB 3.x's upload path, but "
                    + "b3lb.protocol=spec: set b3lb.protocol=b3lb unless a proxy rewrites this path for a B3LB that "
                    + "speaks the node-scripts document's protocol";
        }
        if (protocol == Protocol.B3LB && path(endpoint).endsWith(SPEC_PATH)) {
            return "b3lb.upload.endpoint " + endpoint + " ends in " + SPEC_PATH + ", the node-scripts document's path, but "
                    + "b3lb.protocol=b3lb, whose B3LB 3.x takes uploads at " + B3LB_PATH + ": fix the path, or set "
                    + "b3lb.protocol=spec if this B3LB speaks the node-scripts document's protocol";
        }
        return null;
    }

    /**
     * A missing secret under spec with a B3LB 3.x endpoint is most likely a wrong protocol (B3LB
     * 3.x has no node secret): the fix for that comes first, the secret's own error after it.
     */
    public ConfigException explainMissingSecret(ConfigException e) {
        if (protocol != Protocol.SPEC || endpoint == null || !b3lbShaped(endpoint)) {
            return e;
        }
        return new ConfigException("set b3lb.protocol=b3lb if this node uploads to a stock B3LB 3.x (b3lb.upload.endpoint "
                + endpoint + " has its path " + B3LB_PATH + ", and B3LB 3.x knows no node secret); only for a B3LB that "
                + "speaks the node-scripts document's protocol (b3lb.protocol=spec): " + e.getMessage());
    }

    private static boolean b3lbShaped(String endpoint) {
        return path(endpoint).replaceAll("/+$", "").endsWith(B3LB_PATH);
    }

    private static String path(String shown) {
        String p = URI.create(shown).getRawPath();
        return p == null ? "" : p;
    }

    /** scheme://host[:port]/path: the query and fragment left out (the endpoint has no user info: UploadConfig refuses it). */
    static String shown(URI u) {
        return u.getScheme() + "://" + u.getRawAuthority() + (u.getRawPath() == null ? "" : u.getRawPath());
    }
}
