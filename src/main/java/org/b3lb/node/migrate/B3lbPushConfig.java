package org.b3lb.node.migrate;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * B3LB's /etc/b3lb/push.properties, read as its hook (JavaProperties) and its pusher do, with the
 * defaults of B3LB's shipped push.properties for keys left out.
 */
record B3lbPushConfig(String baseDomain, String publishedFolder, String queueDirname, String queueFilename,
                      String nonceMetaTag) {

    /** Also the hook's defaults (B3LB_PUBLISHED_DIR, B3LB_RECORD_META_TAG): nothing to carry when B3LB used them too. */
    static final String DEFAULT_PUBLISHED = "/var/bigbluebutton/published/presentation";
    static final String DEFAULT_TAG = "b3lb-recordset";
    /** The example host of B3LB's push.properties: an endpoint on it was never configured. */
    static final String EXAMPLE_BASE = "https://b3lb-api.example.com/";
    /** B3LB's backend upload view, appended to b3lbBaseDomain as b3lb-push does. */
    static final String UPLOAD_PATH = "b3lb/b/record/upload";

    /** An absent file reads as all defaults. */
    static B3lbPushConfig read(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        return new B3lbPushConfig(p.getProperty("b3lbBaseDomain", "").trim(),
                p.getProperty("publishedFolder", DEFAULT_PUBLISHED).trim(),
                p.getProperty("queueDirname", "/var/bigbluebutton/b3lb").trim(),
                p.getProperty("queueFilename", "push-queue.db").trim(),
                p.getProperty("nonceMetaTag", DEFAULT_TAG).trim());
    }

    /** The queue as the node knows it. */
    String queue() {
        return queueDirname.replaceAll("/+$", "") + "/" + queueFilename;
    }

    /**
     * b3lb-push posts to {@code "{}b3lb/b/record/upload".format(b3lbBaseDomain)}: the base needs its
     * trailing slash (without it B3LB's own pusher built a broken URL), so one is added when missing.
     * @return null when no base domain is set or it is still B3LB's example
     */
    String endpoint() {
        if (baseDomain.isEmpty() || baseDomain.equals(EXAMPLE_BASE)) {
            return null;
        }
        return (baseDomain.endsWith("/") ? baseDomain : baseDomain + "/") + UPLOAD_PATH;
    }
}
