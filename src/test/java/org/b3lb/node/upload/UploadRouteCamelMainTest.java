package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.b3lb.node.config.Settings;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload route on camel-test-main-junit5: {@code @CamelMainTest} runs a Camel Main with our
 * {@link UploadRoute} added in the {@link Configure} hook, as {@code NodeService} adds it, against
 * the raw-socket {@link Sink}. Not {@code mainClass}/{@code configurationClasses}: the service is
 * assembled from validated {@code Settings} by {@code NodeService.create}, not by classpath
 * scanning, so the hook builds the route from the same {@code UploadConfig} the service would.
 *
 * <p>The route's URI reads {@code {{b3lb.upload.endpoint}}}; the Sink's port is only known at run
 * time, so it is given as a system property (Camel's properties component reads those by default;
 * {@code properties = {...}} takes constants only). Safe: surefire forks a JVM per test class.
 * A fresh context per test (the default lifecycle), a fresh recording directory per test.
 *
 * <p>camel-http's {@code HttpEndpoint.doStop} closes a connection manager that is not its
 * component's; {@link #theRouteRemovedAndAddedAgainStillUploadsThroughTheSharedPool} keeps the
 * pool on the component ({@link UploadHttp#giveConnectionsTo}) so a removed route can come back.
 */
@CamelMainTest(properties = {"camel.main.name=upload-route-test", "camel.main.shutdown-timeout=5"},
        advices = @AdviceRouteMapping(route = UploadRoute.ROUTE_ID, advice = UploadRouteCamelMainTest.RefuseFirstSend.class))
class UploadRouteCamelMainTest {

    private static final String ENDPOINT_KEY = "b3lb.upload.endpoint";

    static Sink sink;

    @TempDir
    static Path tmp;
    private static final AtomicInteger RUN = new AtomicInteger();

    @BeanInject
    CamelContext context;
    Path dir;
    UploadRoute route;
    UploadMetrics metrics;
    SimpleMeterRegistry meters;

    @BeforeAll
    static void startSink() throws IOException {
        sink = new Sink();
        System.setProperty(ENDPOINT_KEY, sink.endpoint());
    }

    @AfterAll
    static void stopSink() throws Exception {
        System.clearProperty(ENDPOINT_KEY);
        sink.close();
    }

    @Configure
    protected void configure(MainConfigurationProperties main) throws IOException {
        dir = Files.createDirectories(tmp.resolve("run-" + RUN.incrementAndGet()));
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("b3lb.recording-dir", dir.toString());
        keys.put(ENDPOINT_KEY, sink.endpoint());
        keys.put("b3lb.upload.secret", RunningNode.TEST_SECRET);
        keys.put("b3lb.upload.poll-delay", "100ms");
        keys.put("b3lb.upload.initial-delay", "50ms");
        keys.put("b3lb.upload.max-delay", "1s");
        keys.put("b3lb.upload.max-redeliveries", "5");
        UploadConfig config = UploadConfig.from(Settings.load(null, Map.of(), keys));
        meters = new SimpleMeterRegistry();
        metrics = new UploadMetrics(meters);
        route = new UploadRoute(config, metrics, UploadPause.NEVER);
        main.addRoutesBuilder(route);
    }

    private double uploads(String outcome) {
        return meters.get("b3lb.uploads").tag("outcome", outcome).counter().count();
    }

    @Test
    void threeMarkersArriveByteExactAndTheirMarkersGo() throws Exception {
        // set up before the files exist: the consumer polls every 100 ms
        NotifyBuilder three = new NotifyBuilder(context).fromRoute(UploadRoute.ROUTE_ID).whenCompleted(3).create();
        Map<String, String> sha = new LinkedHashMap<>();
        for (String id : new String[] {"nb-a", "nb-b", "nb-c"}) {
            sha.put(id, Recordings.sha256(Recordings.ready(dir, id, 50_000 + id.hashCode() % 1000 + 1000)));
        }

        assertThat(three.matches(30, TimeUnit.SECONDS)).as("three upload exchanges completed").isTrue();

        for (Map.Entry<String, String> e : sha.entrySet()) {
            assertThat(sink.received(e.getKey())).as(e.getKey()).singleElement().satisfies(r -> {
                assertThat(r.sha256()).isEqualTo(e.getValue());
                assertThat(r.filename()).isEqualTo(e.getKey() + ".tar");
                assertThat(r.secret()).isEqualTo(RunningNode.TEST_SECRET);
                assertThat(r.answered()).isEqualTo(200);
            });
            assertThat(dir.resolve(e.getKey() + ".ready")).doesNotExist();
            // the tar stays for the cleanup route
            assertThat(dir.resolve(e.getKey() + ".tar")).exists();
        }
        assertThat(uploads("success")).isEqualTo(3.0);
        assertThat(uploads("retry")).isZero();
    }

    @Test
    void aRefusedConnectionIsRedeliveredByCamelAndTheRecordingArrivesOnce() throws Exception {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute(UploadRoute.ROUTE_ID).whenCompleted(1).create();
        Path tar = Recordings.ready(dir, "refused-once", 20_000);

        assertThat(done.matches(30, TimeUnit.SECONDS)).isTrue();

        // two sends reached the intercept: the refused one and Camel's redelivery, which got through
        assertThat(RefuseFirstSend.SENDS.get("refused-once")).hasValue(2);
        assertThat(sink.received("refused-once")).singleElement()
                .satisfies(r -> assertThat(r.sha256()).isEqualTo(Recordings.sha256(tar)));
        assertThat(sink.requests("refused-once")).isEqualTo(1);
        assertThat(dir.resolve("refused-once.ready")).doesNotExist();
        assertThat(uploads("retry")).isEqualTo(1.0);
        assertThat(uploads("success")).isEqualTo(1.0);
        assertThat(uploads("failed")).isZero();
    }

    /**
     * The first send of a {@code refused-*} recording fails as a dead B3LB would: a real
     * {@link ConnectException} before any byte leaves. Applied through {@code advices}, before the
     * context starts.
     */
    static final class RefuseFirstSend extends AdviceWithRouteBuilder {
        static final Map<String, AtomicInteger> SENDS = new ConcurrentHashMap<>();

        @Override
        public void configure() {
            interceptSendToEndpoint("http*").process(x -> {
                String id = Attempt.recording(x).id();
                int n = SENDS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (id.startsWith("refused-") && n == 1) {
                    throw new ConnectException("Connection refused (advised for the test)");
                }
            });
        }
    }

    @Test
    void theRouteRemovedAndAddedAgainStillUploadsThroughTheSharedPool() throws Exception {
        // removing the route stops its camel-http endpoint; the connection pool must outlive it
        Recordings.ready(dir, "before-remove", 10_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(dir.resolve("before-remove.ready")));
        context.getRouteController().stopRoute(UploadRoute.ROUTE_ID);
        assertThat(context.removeRoute(UploadRoute.ROUTE_ID)).isTrue();
        context.addRoutes(route);
        assertThat(context.getRouteController().getRouteStatus(UploadRoute.ROUTE_ID).isStarted()).isTrue();

        Path tar = Recordings.ready(dir, "after-readd", 30_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(dir.resolve("after-readd.ready")));

        assertThat(sink.received("after-readd")).singleElement().satisfies(r -> {
            assertThat(r.sha256()).isEqualTo(Recordings.sha256(tar));
            assertThat(r.answered()).isEqualTo(200);
        });
        assertThat(uploads("success")).isEqualTo(2.0);
        assertThat(uploads("retry")).isZero();
    }

    @Test
    void aServerErrorKeepsTheMarkerUntilTheServerTakesIt() throws Exception {
        sink.script("five-hundred", Sink.Action.status(500), Sink.Action.status(502));
        NotifyBuilder done = new NotifyBuilder(context).fromRoute(UploadRoute.ROUTE_ID).whenCompleted(1).create();
        Path tar = Recordings.ready(dir, "five-hundred", 10_000);

        assertThat(done.matches(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.accepted("five-hundred"));

        assertThat(sink.received("five-hundred")).extracting(Sink.Received::answered).containsExactly(500, 502, 200);
        assertThat(sink.received("five-hundred")).allSatisfy(r -> assertThat(r.sha256()).isEqualTo(Recordings.sha256(tar)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir.resolve("five-hundred.ready")));
        assertThat(uploads("retry")).isEqualTo(2.0);
        assertThat(uploads("success")).isEqualTo(1.0);
    }
}
