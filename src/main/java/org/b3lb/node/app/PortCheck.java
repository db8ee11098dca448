package org.b3lb.node.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.b3lb.node.config.ConfigException;

/**
 * Tries each listening address before Camel starts, so "port in use" becomes one line naming
 * the key to change instead of a Vert.x stack trace.
 */
final class PortCheck {

    private PortCheck() {
    }

    static void assertFree(String hostKey, String host, String portKey, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new ConfigException("cannot listen on " + host + ":" + port + " (" + hostKey + ", " + portKey + "): "
                    + e.getMessage() + "; stop the other process (ss -ltnp 'sport = :" + port + "') or change " + portKey);
        }
    }
}
