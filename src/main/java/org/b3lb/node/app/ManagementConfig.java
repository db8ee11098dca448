package org.b3lb.node.app;

import org.b3lb.node.config.Settings;

/** Where health and metrics are served: loopback by default, never the load port. */
public record ManagementConfig(String host, int port) {

    public static ManagementConfig from(Settings s) {
        String host = s.string("b3lb.management.host");
        if (host.isEmpty() || host.contains(" ") || host.contains("/")) {
            throw s.invalid("b3lb.management.host", "must be an IP address or host name to listen on, e.g. 127.0.0.1");
        }
        return new ManagementConfig(host, s.port("b3lb.management.port"));
    }
}
