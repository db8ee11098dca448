package org.b3lb.node.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code b3lb-node routes [--jmx HOST:PORT] list | stop ID | start ID}: the admin's view of the
 * running service's routes over JMX, so that stopping the uploader for maintenance needs no GUI
 * and no extra download. The service opens no JMX port by itself; README, "JMX", says how to
 * open one on loopback (jcmd ManagementAgent.start, or JAVA_OPTS).
 */
public final class RouteControl {

    static final String USAGE = "usage: b3lb-node routes [--jmx HOST:PORT] list | stop ROUTE_ID | start ROUTE_ID";
    static final String DEFAULT_JMX = "127.0.0.1:9010";

    private RouteControl() {
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** @return 0 done, 1 the service or route could not be reached, 2 bad usage */
    public static int run(PrintStream out, PrintStream err, String... args) {
        String jmx = DEFAULT_JMX;
        int i = 0;
        if (args.length > 1 && args[0].equals("--jmx")) {
            jmx = args[1];
            i = 2;
        } else if (args.length > 0 && args[0].startsWith("--jmx=")) {
            jmx = args[0].substring("--jmx=".length());
            i = 1;
        }
        String command = i < args.length ? args[i] : "";
        String id = i + 1 < args.length ? args[i + 1] : null;
        boolean valid = (command.equals("list") && id == null && args.length == i + 1)
                || ((command.equals("stop") || command.equals("start")) && id != null && args.length == i + 2);
        if (!valid || !jmx.matches("[^:\\s]+:\\d{1,5}")) {
            err.println(USAGE);
            return 2;
        }
        JMXServiceURL url;
        try {
            url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + jmx + "/jmxrmi");
        } catch (IOException e) {
            err.println("b3lb-node routes: bad JMX address " + jmx);
            return 2;
        }
        try (JMXConnector c = JMXConnectorFactory.connect(url)) {
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
        } catch (IOException e) {
            err.println("b3lb-node routes: cannot reach JMX at " + jmx + " (" + e.getClass().getSimpleName()
                    + "); open it first: sudo -u bigbluebutton jcmd $(systemctl show -p MainPID --value b3lb-node)"
                    + " ManagementAgent.start jmxremote.host=127.0.0.1 jmxremote.port=9010 jmxremote.rmi.port=9010"
                    + " jmxremote.authenticate=false jmxremote.ssl=false");
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
