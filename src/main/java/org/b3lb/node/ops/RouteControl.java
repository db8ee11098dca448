package org.b3lb.node.ops;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code b3lb-node routes list | stop ID | start ID}: the running service's routes over JMX.
 * By default it finds the service's process id on the management port and attaches to it with
 * the JDK's Attach API (as {@code jcmd} does), which starts the JVM's local-only JMX connector:
 * no JMX port is open before, and only the service's own user (or root through the launcher,
 * which runs as that user) can attach. {@code --jmx HOST:PORT} uses a port opened by hand instead.
 */
public final class RouteControl {

    static final String USAGE = "usage: b3lb-node routes [--jmx HOST:PORT] list | stop ROUTE_ID | start ROUTE_ID";

    /** How to reach the service's MBean server. */
    @FunctionalInterface
    public interface Connection {
        JMXConnector open() throws IOException, ServiceClient.NotRunning;
    }

    private RouteControl() {
    }

    /** The service's own JVM, found through its management port and attached to. */
    public static Connection attach(ServiceClient service) {
        return () -> {
            Object pid = service.status().get("pid");
            try (AttachHandshake handshake = AttachHandshake.prepare(Long.parseLong(String.valueOf(pid)))) {
                VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
                try {
                    return JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
                } finally {
                    vm.detach();
                }
            } catch (AttachNotSupportedException | IOException | NumberFormatException e) {
                throw new IOException("cannot attach to the service's process " + pid + " (" + e.getMessage()
                        + "); run as root or as the service's user (the packaged launcher runs root's command as"
                        + " bigbluebutton), or open JMX by hand and pass --jmx HOST:PORT (README, \"Routes\")");
            }
        };
    }

    /** A JMX port opened by hand (jcmd ManagementAgent.start, or JVM options). */
    public static Connection remote(String hostPort) {
        return () -> {
            try {
                return JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + hostPort + "/jmxrmi"));
            } catch (IOException e) {
                throw new IOException("cannot reach JMX at " + hostPort + " (" + e.getClass().getSimpleName()
                        + "); open it first with jcmd in the service's namespace (its /tmp is private): systemd-run --wait"
                        + " --pipe --uid=bigbluebutton --gid=bigbluebutton -p JoinsNamespaceOf=b3lb-node.service -p PrivateTmp=yes"
                        + " jcmd $(systemctl show -p MainPID --value b3lb-node) ManagementAgent.start jmxremote.host=127.0.0.1"
                        + " jmxremote.port=9010 jmxremote.rmi.port=9010 jmxremote.authenticate=false jmxremote.ssl=false"
                        + " (README, \"Routes\")", e);
            }
        };
    }

    /** @return 0 done, 1 the route could not be found or changed, 2 bad usage, 3 the service is not running */
    public static int run(Connection connection, List<String> args, PrintStream out, PrintStream err) {
        String command = args.isEmpty() ? "" : args.get(0);
        boolean valid = (command.equals("list") && args.size() == 1)
                || ((command.equals("stop") || command.equals("start")) && args.size() == 2);
        if (!valid) {
            err.println(USAGE);
            return 2;
        }
        String id = args.size() > 1 ? args.get(1) : null;
        try (JMXConnector c = connection.open()) {
            MBeanServerConnection server = c.getMBeanServerConnection();
            Map<String, ObjectName> routes = routes(server);
            if (command.equals("list")) {
                for (Map.Entry<String, ObjectName> r : routes.entrySet()) {
                    out.printf("%-20s %-10s exchanges=%s%n", r.getKey(), server.getAttribute(r.getValue(), "State"),
                            server.getAttribute(r.getValue(), "ExchangesTotal"));
                }
                return 0;
            }
            ObjectName route = routes.get(id);
            if (route == null) {
                err.println("b3lb-node routes: no route '" + id + "'; routes: " + String.join(", ", routes.keySet()));
                return 1;
            }
            server.invoke(route, command, null, null);
            out.println(id + " " + server.getAttribute(route, "State"));
            return 0;
        } catch (ServiceClient.NotRunning e) {
            err.println("b3lb-node routes: " + e.getMessage());
            return 3;
        } catch (IOException e) {
            err.println("b3lb-node routes: " + e.getMessage());
            return 1;
        } catch (JMException e) {
            err.println("b3lb-node routes: " + command + " failed: " + e.getMessage());
            return 1;
        }
    }

    private static Map<String, ObjectName> routes(MBeanServerConnection server) throws IOException, JMException {
        Map<String, ObjectName> byId = new TreeMap<>();
        for (ObjectName n : server.queryNames(new ObjectName("org.apache.camel:type=routes,*"), null)) {
            byId.put(String.valueOf(server.getAttribute(n, "RouteId")), n);
        }
        return byId;
    }
}
