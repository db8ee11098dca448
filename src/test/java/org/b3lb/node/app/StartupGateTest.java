package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.config.Settings;
import org.b3lb.node.testing.RawHttp;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load port between "HTTP server listening" and "load route started": held open here by a
 * service that blocks Camel's start-up after the servers, as a slow Quartz or route start does.
 */
class StartupGateTest {

    @TempDir
    Path dir;

    @Test
    void theLoadPortAnswers503TextWhileStartingThenTheFigure() throws Exception {
        int loadPort = AvailablePortFinder.getNextAvailable();
        Settings settings = Settings.load(null, Map.of(), Map.of(
                "b3lb.recording-dir", Files.createDirectories(dir.resolve("archived")).toString(),
                "b3lb.routes-dir", RunningNode.REPO_ROUTES.toString(),
                "b3lb.load.port", Integer.toString(loadPort),
                "b3lb.management.port", Integer.toString(AvailablePortFinder.getNextAvailable()),
                "b3lb.upload.enabled", "false"));
        Main main = NodeService.create(settings);
        CountDownLatch release = new CountDownLatch(1);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                try {
                    m.getCamelContext().addService(new ServiceSupport() {
                        @Override
                        protected void doStart() throws Exception {
                            release.await(60, TimeUnit.SECONDS);
                        }
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        CompletableFuture<Void> starting = CompletableFuture.runAsync(() -> {
            try {
                main.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> RawHttp.exchange(loadPort, "GET", "/").startsWith("HTTP/1.0 503"));
            String during = RawHttp.exchange(loadPort, "GET", "/");
            assertThat(during).startsWith("HTTP/1.0 503 Service Unavailable\r\n")
                    .containsIgnoringCase("content-type: text/plain; charset=utf-8\r\n")
                    .containsIgnoringCase("retry-after: 1\r\n")
                    .endsWith("\r\n\r\nb3lb-node is starting\n")
                    .doesNotContainIgnoringCase("<html");
            assertThat(RawHttp.exchange(loadPort, "GET", "/anything")).startsWith("HTTP/1.0 503");

            release.countDown();
            starting.get(60, TimeUnit.SECONDS);
            String after = RawHttp.exchange(loadPort, "GET", "/");
            assertThat(after).startsWith("HTTP/1.0 200 OK\r\n").containsPattern("\r\n\r\n\\d+\\.\\d\\d\n$");
            assertThat(RawHttp.exchange(loadPort, "GET", "/nope")).startsWith("HTTP/1.0 404");
        } finally {
            release.countDown();
            main.stop();
        }
    }
}
