package org.b3lb.node.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import org.b3lb.node.config.ConfigException;

/**
 * Tries each listening address before Camel starts, so "port in use" becomes one line naming
 * the key to change instead of a Vert.x stack trace.
 */
final class PortCheck {

    private PortCheck() {
    }

    static void assertFree(String hostKey, String host, String portKey, int port) {
        assertLocal(hostKey, host);
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new ConfigException("cannot listen on " + host + ":" + port + " (" + hostKey + ", " + portKey + "): "
                    + e.getMessage() + "; stop the other process (ss -ltnp 'sport = :" + port + "') or change " + portKey);
        }
    }

    /** A host that does not resolve, or is not this machine's, is a wrong setting, not a busy port. */
    private static void assertLocal(String hostKey, String host) {
        InetSocketAddress a = new InetSocketAddress(host, 0);
        String fix = "; set " + hostKey + " to an address of this machine (ip -brief address), e.g. 127.0.0.1";
        if (a.isUnresolved()) {
            throw new ConfigException("cannot listen on " + host + " (" + hostKey + "): the name does not resolve" + fix);
        }
        InetAddress ip = a.getAddress();
        try {
            if (!ip.isAnyLocalAddress() && !ip.isLoopbackAddress() && NetworkInterface.getByInetAddress(ip) == null) {
                throw new ConfigException("cannot listen on " + host + " (" + hostKey + "): "
                        + ip.getHostAddress() + " is not an address of this machine" + fix);
            }
        } catch (SocketException e) {
            // interfaces cannot be listed: let the bind below report what goes wrong
        }
    }
}
