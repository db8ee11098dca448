package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.b3lb.node.testing.RawHttp;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load route as the balancer and an admin see it: real HTTP on the started service. */
class LoadRouteTest {

    @TempDir
    static Path dir;

    static RunningNode node;

    @BeforeAll
    static void start() throws Exception {
        node = RunningNode.builder(dir.resolve("archived")).start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void getAnswersTheLoadFigureAsPlainText() throws Exception {
        HttpResponse<String> r = node.load("GET", "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body()).matches("\\d+\\.\\d{2}\\n");
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(r.body().length());
    }

    @Test
    void figureAgreesWithTheOsLoadAverage() throws Exception {
        double served = Double.parseDouble(node.load("GET", "/").body().trim());
        String[] loadavg = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        double expected = Double.parseDouble(loadavg[0]) / LoadFigure.onlineCpus() * 100;
        // the kernel updates the average every 5 s and we cache 1 s: allow a generous drift
        assertThat(served).isCloseTo(expected, org.assertj.core.data.Offset.offset(Math.max(25.0, expected * 0.5)));
    }

    @Test
    void headAnswersTheHeadersOfGetWithoutBody() throws Exception {
        String raw = RawHttp.exchange(node.loadPort(), "HEAD", "/");
        assertThat(raw).startsWith("HTTP/1.0 200").containsIgnoringCase("Content-Type: text/plain");
        assertThat(raw).containsIgnoringCase("Content-Length: " + node.load("GET", "/").body().length());
        assertThat(raw).endsWith("\r\n\r\n");
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        assertThat(node.load("GET", "/nope").statusCode()).isEqualTo(404);
        assertThat(node.load("GET", "/b3lb/load").statusCode()).isEqualTo(404);
        assertThat(node.load("POST", "/").statusCode()).isEqualTo(405);
        assertThat(node.load("DELETE", "/").statusCode()).isEqualTo(405);
        assertThat(node.load("PUT", "/").statusCode()).isEqualTo(405);
    }

    @Test
    void requestHeadersAreNotEchoedBack() throws Exception {
        HttpResponse<String> r = node.load("GET", "/");
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("user-agent") || h.toLowerCase().startsWith("camel"));
    }

    @Test
    void healthReportsEachRoute() throws Exception {
        HttpResponse<String> r = node.management("/observe/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"UP\"").contains("\"name\":\"route:load\"");
    }

    @Test
    void loadAndManagementServersRunOnTheOneSharedVertx() throws Exception {
        assertThat(node.load("GET", "/").statusCode()).isEqualTo(200);
        assertThat(node.management("/observe/health").statusCode()).isEqualTo(200);
        io.vertx.core.Vertx shared = node.context().getRegistry().lookupByNameAndType("vertx", io.vertx.core.Vertx.class);
        assertThat(shared).isNotNull();
        // each server would otherwise have made its own Vert.x, with its own event loops and timers
        assertThat(((io.vertx.core.impl.VertxInternal) shared).sharedHttpServers().keySet())
                .extracting(id -> id.port).containsExactlyInAnyOrder(node.loadPort(), node.managementPort());
    }

    @Test
    void metricsHaveRouteJvmAndLoadGauge() throws Exception {
        node.load("GET", "/");
        String metrics = node.management("/observe/metrics").body();
        assertThat(metrics).containsPattern("(?m)^b3lb_load_percent \\d+(\\.\\d+)?");
        assertThat(metrics).containsPattern("(?m)^camel_exchanges_total\\{.*routeId=\"load\".*\\} [1-9]");
        assertThat(metrics).contains("jvm_memory_used_bytes");
        assertThat(metrics).contains("jvm_gc_");
    }

    @Test
    void loadRouteCanBeStoppedAndStartedOverJmx() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = jmx.queryNames(new ObjectName("org.apache.camel:type=routes,name=\"load\",*"), null);
        assertThat(names).hasSize(1);
        ObjectName load = names.iterator().next();
        assertThat(jmx.getAttribute(load, "RouteId")).isEqualTo("load");

        jmx.invoke(load, "stop", null, null);
        assertThat(jmx.getAttribute(load, "State")).isEqualTo("Stopped");
        assertThat(node.load("GET", "/").statusCode()).isEqualTo(404);

        jmx.invoke(load, "start", null, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.load("GET", "/").statusCode() == 200);
        assertThat(jmx.getAttribute(load, "State")).isEqualTo("Started");
    }
}
