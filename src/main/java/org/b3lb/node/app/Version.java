package org.b3lb.node.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** This build's version, from the Maven-filtered resource: in the jar and in target/classes alike. */
public final class Version {

    private static final String VALUE = read();

    private Version() {
    }

    public static String get() {
        return VALUE;
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/b3lb/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String f = p.getProperty("version", "");
            if (!f.isBlank() && !f.startsWith("${")) {
                return f;
            }
        } catch (IOException e) {
            // fall through: an unreadable resource only costs the version string
        }
        return "unknown";
    }
}
