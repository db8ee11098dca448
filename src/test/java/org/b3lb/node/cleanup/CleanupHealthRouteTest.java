package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleanup health check as an admin sees it: {@code /observe/health} of a running service. */
class CleanupHealthRouteTest {

    /** With {@code data=true} Camel's management server includes each check's message and details. */
    static final String HEALTH = "/observe/health?data=true";

    @TempDir
    Path tmp;

    @Test
    void healthGoesDownWhenAPassCannotListTheDirectoryAndUpAfterTheNextGoodPass() throws Exception {
        Path dir = tmp.resolve("archived");
        try (RunningNode node = RunningNode.builder(dir).with("b3lb.cleaner.cron", "* * * * * ?")
                .with("b3lb.upload.enabled", "false").start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> node.management(HEALTH).body()
                    .matches("(?s).*\"name\":\"cleanup\",\"status\":\"UP\".*"));
            String up = node.management(HEALTH).body();
            assertThat(up).contains("\"last_pass_deleted\"").contains("\"next_pass\"");

            Files.delete(dir);
            await().atMost(Duration.ofSeconds(10)).until(() -> node.management(HEALTH).body()
                    .matches("(?s).*\"name\":\"cleanup\",\"status\":\"DOWN\".*"));
            var down = node.management(HEALTH);
            assertThat(down.statusCode()).isEqualTo(503);
            // JSON escapes the slashes of the path
            assertThat(down.body()).contains("could not read ").contains("archived: check that it exists");

            Files.createDirectory(dir);
            await().atMost(Duration.ofSeconds(10)).until(() -> node.management(HEALTH).body()
                    .matches("(?s).*\"name\":\"cleanup\",\"status\":\"UP\".*"));
        }
    }
}
