package org.b3lb.node.app;

import org.b3lb.node.config.Settings;

/** Where health and metrics are served: loopback by default, never the load port. */
public record ManagementConfig(String host, int port) {

    public static ManagementConfig from(Settings s) {
        return new ManagementConfig(s.host("b3lb.management.host"), s.port("b3lb.management.port"));
    }
}
