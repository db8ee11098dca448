package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code routes/cleanup.camel.yaml} on camel-test-main-junit5, with its Quartz
 * consumer replaced by {@code direct:cleanup} ({@code replaceRouteFromWith}), so a test fires a
 * pass through a {@link ProducerTemplate} instead of waiting for a cron second. The
 * {@code cleanupPass} bean is built from {@code Settings} as {@code NodeService} builds it and
 * bound with {@code @BindToRegistry}; it deletes real files in a {@code @TempDir}.
 */
@CamelMainTest(properties = {"camel.main.name=cleanup-route-test", "camel.main.routes-include-pattern=file:routes/cleanup.camel.yaml",
        "b3lb.cleaner.enabled=true", "b3lb.cleaner.cron=0 0 3 * * ?", "b3lb.cleaner.quartz-time-zone=UTC"},
        replaceRouteFromWith = "cleanup=direct:cleanup")
class CleanupRouteCamelMainTest {

    @TempDir
    Path dir;

    @BeanInject
    CamelContext context;

    CleanupPass pass;

    @Configure
    protected void configure(MainConfigurationProperties main) {
        Settings s = Settings.load(null, Map.of(), Map.of("b3lb.recording-dir", dir.toString(), "b3lb.cleaner.retention-days", "7"));
        CleanupConfig cleanup = CleanupConfig.from(s);
        pass = new CleanupPass(cleanup, cleanup.dryRun(), new CleanupMetrics(new SimpleMeterRegistry(), Instant.now()),
                CleanupPass.Report.log(), new RecordingRemover(cleanup));
    }

    @BindToRegistry("cleanupPass")
    public CleanupPass cleanupPass() {
        return pass;
    }

    @Test
    void onePassThroughTheRouteDeletesOnlyExpiredUploadedTars() throws Exception {
        Path expired = Fixture.uploaded(dir, "expired.tar", Fixture.OLD, 4096);
        Path pending = Fixture.file(dir, "pending.tar", Fixture.OLD);
        Path marker = Fixture.file(dir, "pending.ready", Fixture.OLD);
        Path fresh = Fixture.uploaded(dir, "fresh.tar", Fixture.NEW);
        Path other = Fixture.file(dir, "notes.txt", Fixture.OLD);

        try (ProducerTemplate template = context.createProducerTemplate()) {
            template.sendBody("direct:cleanup", null);
        }

        assertThat(expired).doesNotExist();
        assertThat(pending).exists();
        assertThat(marker).exists();
        assertThat(fresh).exists();
        assertThat(other).exists();
        assertThat(pass.lastResult()).satisfies(r -> {
            assertThat(r.deleted()).isEqualTo(1);
            assertThat(r.pending()).isEqualTo(1);
            assertThat(r.errors()).isZero();
        });
        try (var left = Files.list(dir)) {
            assertThat(left).hasSize(5); // with fresh.uploaded
        }
    }

    @Test
    void theQuartzConsumerWasReplacedNotAdded() {
        assertThat(context.getRoute("cleanup").getEndpoint().getEndpointUri()).isEqualTo("direct://cleanup");
        assertThat(context.getRoutes()).extracting(r -> r.getRouteId()).containsExactly("cleanup");
    }
}
