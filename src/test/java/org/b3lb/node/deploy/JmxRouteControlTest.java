package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.ops.RouteControl;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admin's JMX path, over a real remote JMX connection: the JDK's management agent opened on
 * loopback by the README's own command, {@code jcmd PID ManagementAgent.start ...}, run against
 * this test's JVM, then {@code b3lb-node routes --jmx} (RouteControl) stopping and starting every route.
 * The default path, attaching to the service's process, is RoutesFromTheJarTest's.
 */
class JmxRouteControlTest {

    @TempDir
    static Path dir;

    static RunningNode node;
    static int jmxPort;
    static Path jcmd;
    static String pid = Long.toString(ProcessHandle.current().pid());

    @BeforeAll
    static void start() throws Exception {
        node = RunningNode.builder(dir.resolve("archived")).start();
        jmxPort = AvailablePortFinder.getNextAvailable();
        jcmd = Tools.require("jcmd");
        Tools.Result r = Tools.run(jcmd.toString(), pid, "ManagementAgent.start", "jmxremote.host=127.0.0.1",
                "jmxremote.port=" + jmxPort, "jmxremote.rmi.port=" + jmxPort,
                "jmxremote.authenticate=false", "jmxremote.ssl=false");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContainIgnoringCase("error").doesNotContainIgnoringCase("exception");
    }

    @AfterAll
    static void stop() throws Exception {
        if (jcmd != null) {
            Tools.run(jcmd.toString(), pid, "ManagementAgent.stop");
        }
        if (node != null) {
            node.close();
        }
    }

    static Stream<String> routeIds() {
        // every route the node runs; aRemoteJmxClientSeesTheCamelRoutes pins the set
        return node.context().getRoutes().stream().map(Route::getRouteId).sorted();
    }

    @Test
    void aRemoteJmxClientSeesTheCamelRoutes() throws Exception {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
        try (JMXConnector c = JMXConnectorFactory.connect(url)) {
            assertThat(c.getMBeanServerConnection().queryNames(
                    new ObjectName("org.apache.camel:context=b3lb-node,type=routes,name=\"load\""), null)).hasSize(1);
        }
        Out list = routes("list");
        assertThat(list.exit).isZero();
        assertThat(list.out).containsPattern("(?m)^load\\s+Started\\s+exchanges=\\d+$");
        assertThat(routeIds()).containsExactly("cleanup", "disk-guard", "load", "load-sample", "upload");
        assertThat(routeIds()).allSatisfy(id -> assertThat(list.out).contains(id));
    }

    @Test
    void onlyTheContextAndRoutesAreMBeansUnlessTheAdminAsksForProcessors(@TempDir Path other) throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        String context = node.context().getManagementName();
        assertThat(jmx.queryNames(new ObjectName("org.apache.camel:context=" + context + ",type=routes,*"), null))
                .hasSize(routeIds().toList().size());
        assertThat(jmx.queryNames(new ObjectName("org.apache.camel:context=" + context + ",type=processors,*"), null))
                .isEmpty();

        // the admin's key wins over the service's default in Camel's other spelling too
        RunningNode full = RunningNode.builder(other.resolve("archived"))
                .with("camel.main.jmxManagementMBeansLevel", "Default").start();
        try {
            String fullContext = full.context().getManagementName();
            assertThat(fullContext).isNotEqualTo(context);
            assertThat(jmx.queryNames(new ObjectName("org.apache.camel:context=" + fullContext + ",type=processors,*"), null))
                    .isNotEmpty();
        } finally {
            full.close();
        }
    }

    @ParameterizedTest
    @MethodSource("routeIds")
    void aRouteCanBeStoppedAndStartedOverJmx(String id) throws Exception {
        Out stopped = routes("stop", id);
        assertThat(stopped.exit).as(stopped.err).isZero();
        assertThat(stopped.out).isEqualTo(id + " Stopped\n");
        assertThat(node.context().getRouteController().getRouteStatus(id)).isEqualTo(ServiceStatus.Stopped);
        if (id.equals("load")) {
            assertThat(node.load("GET", "/").statusCode()).isEqualTo(404);
        }

        Out started = routes("start", id);
        assertThat(started.exit).as(started.err).isZero();
        assertThat(started.out).isEqualTo(id + " Started\n");
        assertThat(node.context().getRouteController().getRouteStatus(id)).isEqualTo(ServiceStatus.Started);
        if (id.equals("load")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> node.load("GET", "/").statusCode() == 200);
        }
    }

    @Test
    void unknownRouteAndUnreachableJmxSayWhatToDo() throws Exception {
        Out unknown = routes("stop", "nope");
        assertThat(unknown.exit).isEqualTo(1);
        assertThat(unknown.err).contains("no route 'nope'").contains("load");

        int closed = AvailablePortFinder.getNextAvailable();
        Out unreachable = run("127.0.0.1:" + closed, "list");
        assertThat(unreachable.exit).isEqualTo(1);
        assertThat(unreachable.err).contains("cannot reach JMX at 127.0.0.1:" + closed).contains("ManagementAgent.start");

        assertThat(routes("list", "extra").exit).isEqualTo(2);
        assertThat(routes("stop").exit).isEqualTo(2);
    }

    record Out(int exit, String out, String err) {
    }

    private static Out routes(String... args) {
        return run("127.0.0.1:" + jmxPort, args);
    }

    private static Out run(String jmx, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RouteControl.run(RouteControl.remote(jmx), List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Out(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
