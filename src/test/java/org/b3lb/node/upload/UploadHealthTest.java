package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.b3lb.node.ops.ServiceClient;
import org.b3lb.node.ops.StatusCommand;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload check of {@code /observe/health} and the upload route's state in {@code b3lb-node
 * status}, on a running node against a receiver that, like B3LB, answers 401 to a wrong
 * X-Node-Secret; the secret is rotated by rewriting its file, as the README's recipe does.
 */
class UploadHealthTest {

    static final String HEALTH = "/observe/health?data=true";
    static final String OLD = "old-s3cret-4d2a91";
    static final String NEW = "new-s3cret-77be05";

    @TempDir
    Path tmp;

    /** The {@code upload} check's JSON, or null when there is none. */
    static JsonObject uploadCheck(RunningNode node) throws Exception {
        JsonObject health = (JsonObject) Jsoner.deserialize(node.management(HEALTH).body());
        for (Object c : (JsonArray) health.get("checks")) {
            JsonObject check = (JsonObject) c;
            if ("upload".equals(check.getString("name"))) {
                return check;
            }
        }
        return null;
    }

    static String uploadState(RunningNode node) throws Exception {
        JsonObject c = uploadCheck(node);
        return c == null ? null : c.getString("status");
    }

    static String status(RunningNode node, boolean json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StatusCommand.run(new ServiceClient("127.0.0.1", node.managementPort()), json,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void refusedSecretIsDownWithTheRealStateInStatusAndRotatingTheFileBringsItBackWithoutRestart() throws Exception {
        LogCapture log = LogCapture.everything();
        Path dir = tmp.resolve("archived");
        Path secretFile = Files.writeString(tmp.resolve("secret"), OLD + "\n");
        try (Sink sink = new Sink().acceptOnly(NEW);
             RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint())
                     .with("b3lb.upload.secret-file", secretFile.toString())
                     .with("b3lb.upload.max-delay", "10m").start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(uploadState(node)));
            Recordings.ready(dir, "rec-401", 2000);

            await().atMost(Duration.ofSeconds(20)).until(() -> "DOWN".equals(uploadState(node)));
            JsonObject down = uploadCheck(node);
            assertThat(down.getString("message")).startsWith("B3LB refuses this node's uploads (1 recording(s), last rec-401 at ")
                    .contains("HTTP 401").contains("check b3lb.upload.secret-file").doesNotContain(OLD).doesNotContain(NEW);
            assertThat(node.management(HEALTH).statusCode()).isEqualTo(503);
            assertThat(sink.received("rec-401")).extracting(Sink.Received::secret).containsExactly(OLD);

            // status shows what the route really knows: one attempt, its error, the next try max-delay away
            JsonObject st = (JsonObject) Jsoner.deserialize(status(node, true));
            List<?> stuck = (List<?>) ((JsonObject) st.get("pending")).get("stuck");
            assertThat(stuck).hasSize(1);
            JsonObject rec = (JsonObject) stuck.get(0);
            assertThat(rec.getString("id")).isEqualTo("rec-401");
            assertThat(rec.getInteger("attempts")).isEqualTo(1);
            assertThat(rec.getString("lastError")).startsWith("HTTP 401").doesNotContain(OLD).doesNotContain(NEW);
            assertThat(Instant.parse(rec.getString("nextAttempt"))).isAfter(Instant.now().plus(Duration.ofMinutes(9)));
            String text = status(node, false);
            assertThat(text).containsPattern("(?m)^  rec-401\\s+2.0 KiB\\s+\\S+( \\S+)?\\s+1\\s+in 9m(\\d+s)?\\s+HTTP 401")
                    .doesNotContain(OLD).doesNotContain(NEW);

            // the admin's recipe: write the new file beside, then rename it over the old one
            Path fresh = Files.writeString(tmp.resolve("secret.new"), NEW + "\n");
            Files.move(fresh, secretFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            // well before max-delay (10m): the schedule releases the refused recording at once
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.accepted("rec-401"));
            assertThat(sink.received("rec-401")).extracting(Sink.Received::secret).containsExactly(OLD, NEW);
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir.resolve("rec-401.ready")));
            await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(uploadState(node)));
            JsonObject up = uploadCheck(node);
            assertThat(((JsonObject) up.get("data")).getString("last_success")).isNotEqualTo("none since start-up");
            assertThat(status(node, false)).doesNotContain("rec-401");
        }
        assertThat(log.lines()).anyMatch(l -> l.contains("the node secret in " + secretFile + " changed"))
                .noneMatch(l -> l.contains(OLD) || l.contains(NEW));
    }

    @Test
    void transientFailuresAloneStayUpWithTheirCountsInTheDetails() throws Exception {
        Path dir = tmp.resolve("archived");
        try (Sink sink = new Sink().otherwise(Sink.Action.status(503));
             RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint())
                     .with("b3lb.upload.max-redeliveries", "0").with("b3lb.upload.max-delay", "10m").start()) {
            Recordings.ready(dir, "rec-503", 100);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonObject c = uploadCheck(node);
                return c != null && ((JsonObject) c.get("data")).getInteger("waiting_transient") == 1;
            });
            JsonObject c = uploadCheck(node);
            assertThat(c.getString("status")).isEqualTo("UP");
            JsonObject details = (JsonObject) c.get("data");
            assertThat(details.getInteger("waiting_refused")).isZero();
            assertThat(details.getString("oldest_failing_since")).isNotNull();
            assertThat(sink.requests("rec-503")).isPositive();
        }
    }

    @Test
    void aMissingRecordingDirectoryIsDownAndUpAgainOnceItIsBack() throws Exception {
        Path dir = tmp.resolve("archived");
        try (RunningNode node = RunningNode.builder(dir).start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(uploadState(node)));
            Files.delete(dir);
            await().atMost(Duration.ofSeconds(10)).until(() -> "DOWN".equals(uploadState(node)));
            assertThat(uploadCheck(node).getString("message")).contains("archived does not exist")
                    .contains("fix b3lb.recording-dir");
            // status says it once: from the DOWN check, not again from its own listing of the directory
            await().atMost(Duration.ofSeconds(10)).until(() -> status(node, true).contains("\"error\": \"recording directory"));
            assertThat((List<?>) ((JsonObject) Jsoner.deserialize(status(node, true))).get("problems"))
                    .filteredOn(p -> p.toString().contains("archived does not exist")).hasSize(1);
            Files.writeString(dir, "not a directory");
            await().atMost(Duration.ofSeconds(10)).until(() -> uploadCheck(node).getString("message").contains("is not a directory"));
            Files.delete(dir);
            Files.createDirectory(dir);
            await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(uploadState(node)));
        }
    }

    @Test
    void noUploadCheckWhenUploadIsDisabled() throws Exception {
        try (RunningNode node = RunningNode.builder(tmp.resolve("archived")).with("b3lb.upload.enabled", "false").start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> node.management(HEALTH).body().contains("\"name\":\"load\""));
            assertThat(uploadCheck(node)).isNull();
            assertThat(node.context().getRegistry().lookupByName(RecordingSchedule.BEAN_NAME)).isNull();
        }
    }
}
