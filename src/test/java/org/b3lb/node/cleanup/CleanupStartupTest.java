package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.ServiceStatus;
import org.b3lb.node.app.NodeService;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the cleaner keys shape the service at start-up. */
class CleanupStartupTest {

    @TempDir
    Path dir;

    @Test
    void aBadCleanerKeyStopsStartUpBeforeCamel() {
        Settings s = Settings.load(null, Map.of(), Map.of("b3lb.recording-dir", dir.toString(),
                "b3lb.routes-dir", RunningNode.REPO_ROUTES.toString(), "b3lb.cleaner.cron", "every night"));
        assertThatThrownBy(() -> NodeService.create(s)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid b3lb.cleaner.cron='every night'");
    }

    @Test
    void aBadGuardKeyStopsStartUpBeforeCamel() {
        for (String[] kv : new String[][] {{"b3lb.cleaner.min-free", "lots"}, {"b3lb.cleaner.guard-interval", "0s"},
                {"b3lb.cleaner.delete-bbb-recording", "maybe"}}) {
            Settings s = Settings.load(null, Map.of(), Map.of("b3lb.recording-dir", dir.toString(),
                    "b3lb.routes-dir", RunningNode.REPO_ROUTES.toString(), kv[0], kv[1]));
            assertThatThrownBy(() -> NodeService.create(s)).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid " + kv[0] + "='" + kv[1] + "'");
        }
    }

    @Test
    void aDisabledCleanerLeavesItsRouteStoppedAndTheRestRunning() throws Exception {
        try (RunningNode node = RunningNode.builder(dir.resolve("archived")).with("b3lb.cleaner.enabled", "false").start()) {
            assertThat(node.context().getRouteController().getRouteStatus("cleanup")).isEqualTo(ServiceStatus.Stopped);
            assertThat(node.context().getRouteController().getRouteStatus("load")).isEqualTo(ServiceStatus.Started);
        }
    }
}
