package org.b3lb.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.upload.Backoff;
import org.b3lb.node.upload.RecordingSchedule;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code b3lb-node status} against a running service whose recording directory holds two stuck
 * recordings (one the upload route reports as refused, one it knows nothing about) and a fresh
 * one, with nothing listening at the upload endpoint.
 */
class StatusCommandTest {

    @TempDir
    static Path dir;

    static RunningNode node;
    static Path archived;
    static final Instant NEXT = Instant.now().plus(Duration.ofMinutes(7)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    /** Nothing listens there; the query stands for a token some proxies want, never shown. */
    static final String ENDPOINT = "http://127.0.0.1:" + org.apache.camel.test.AvailablePortFinder.getNextAvailable()
            + "/b3lb/b/recording/upload";

    @BeforeAll
    static void start() throws Exception {
        archived = Files.createDirectories(dir.resolve("archived"));
        recording("refused-1", 3 * 1024 * 1024, Duration.ofHours(5));
        recording("quiet-2", 1000, Duration.ofHours(2));
        recording("fresh-3", 10, Duration.ofSeconds(5));
        // L3: a tar the hook could not mark; one renamed into place a moment ago (its marker may be coming);
        // one uploaded (evidence naming it): only the first is "not uploaded, not marked"
        tar("lost-4", Duration.ofHours(2));
        tar("just-packed-5", Duration.ofSeconds(5));
        Path done = tar("done-6", Duration.ofDays(1));
        Evidence.write(new RecordingFiles(archived, "done-6"), FileIdentity.of(done), Instant.now().minus(Duration.ofHours(20)));
        // the upload route must not touch them while the test reads: a poll far in the future
        node = RunningNode.builder(archived).with("b3lb.upload.poll-delay", "1h")
                .with("b3lb.upload.endpoint", ENDPOINT + "?token=t0k3n").start();
        // replaces the upload route's own (which has not tried these tars: too fresh for a 1h poll) with one that
        // B3LB refused four times, on a clock that puts the next attempt at NEXT
        RecordingSchedule states = new RecordingSchedule(new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(7)), Duration.ZERO,
                () -> NEXT.toEpochMilli() - Duration.ofMinutes(7).toMillis());
        for (int i = 0; i < 4; i++) {
            states.rejected("refused-1", "HTTP 401 Unauthorized: check the secret", 401);
        }
        node.context().getRegistry().unbind(RecordingSchedule.BEAN_NAME);
        node.context().getRegistry().bind(RecordingSchedule.BEAN_NAME, states);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static void recording(String id, int size, Duration age) throws Exception {
        Files.write(archived.resolve(id + ".tar"), new byte[size]);
        Path marker = Files.createFile(archived.resolve(id + ".ready"));
        Files.setLastModifiedTime(marker, FileTime.from(Instant.now().minus(age)));
    }

    static Path tar(String id, Duration age) throws Exception {
        Path tar = Files.write(archived.resolve(id + ".tar"), new byte[100]);
        Files.setLastModifiedTime(tar, FileTime.from(Instant.now().minus(age)));
        return tar;
    }

    record Out(int exit, String out, String err) {
    }

    static Out status(int port, boolean json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = StatusCommand.run(new ServiceClient("127.0.0.1", port), json, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Out(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void textNamesEachStuckRecordingWithItsStateAndExitsDegraded() {
        Out s = status(node.managementPort(), false);
        assertThat(s.exit).as(s.err).isEqualTo(StatusCommand.DEGRADED);
        assertThat(s.out).containsPattern("^b3lb-node \\d+\\.\\d+\\.\\d+\\S*: DEGRADED \\(pid " + ProcessHandle.current().pid() + ", up ")
                .contains("problem: 2 recordings stuck")
                .contains("\nprotocol: b3lb.protocol=spec (the protocol of the node-scripts document); upload endpoint: "
                        + ENDPOINT + "\n")
                .doesNotContain("t0k3n")
                .contains("problem: 1 recording is not uploaded and not marked: nothing uploads or deletes them;"
                        + " b3lb-node clean --dry-run --verbose shows the command that marks each")
                .contains("\nnot uploaded, not marked: 1 (b3lb-node clean --dry-run --verbose shows the command that marks each)\n")
                .containsPattern("(?m)^  cleanup\\s+Started$").containsPattern("(?m)^  load\\s+Started$")
                .containsPattern("(?m)^  upload\\s+Started$")
                .contains("load=UP").contains("route:upload=UP")
                .containsPattern("(?m)^load figure: \\d+(\\.\\d+)? %$")
                .contains("pending recordings: 3, 3.0 MiB, oldest 5h0m (in " + archived + ")")
                .contains("\nuploads: running, 3 recordings waiting\n")
                .containsPattern("(?m)^  refused-1\\s+3\\.0 MiB\\s+5h0m\\s+4\\s+in [67]m(\\d+s)?\\s+HTTP 401 Unauthorized: check the secret$")
                .containsPattern("(?m)^  quiet-2\\s+1000 B\\s+2h0m\\s+unknown\\s+-\\s+unknown$")
                .doesNotContain("fresh-3")
                .contains("cleanup: last pass none since start; since start deleted 0, freed 0 B, 0 errors; next pass 20")
                .containsPattern("(?m)^free space: \\d+\\.\\d \\S+ of \\d+\\.\\d \\S+ on the filesystem of " + java.util.regex.Pattern.quote(archived.toString()) + "$");
        // the stuck one's row comes first: oldest first
        assertThat(s.out.indexOf("refused-1")).isLessThan(s.out.indexOf("quiet-2"));
    }

    @Test
    void theUploadHealthDetailsNameTheProtocolAndTheEndpointWithoutItsQuery() {
        Map<String, Object> details = org.apache.camel.health.HealthCheckHelper.invoke(node.context()).stream()
                .filter(c -> c.getCheck().getId().equals("upload")).findFirst().orElseThrow().getDetails();
        assertThat(details).containsEntry("protocol", "spec").containsEntry("endpoint", ENDPOINT);
        assertThat(details.toString()).doesNotContain("t0k3n");
    }

    @Test
    void jsonCarriesTheSameForScripts() throws Exception {
        Out s = status(node.managementPort(), true);
        assertThat(s.exit).isEqualTo(StatusCommand.DEGRADED);
        JsonObject j = (JsonObject) Jsoner.deserialize(s.out);
        assertThat(j.getString("status")).isEqualTo("DEGRADED");
        assertThat(j.getLong("pid")).isEqualTo(ProcessHandle.current().pid());
        assertThat(j.getLong("uptimeSeconds")).isGreaterThanOrEqualTo(0);
        assertThat(j.getString("protocol")).isEqualTo("spec");
        assertThat(j.getString("endpoint")).isEqualTo(ENDPOINT);
        assertThat(s.out).doesNotContain("t0k3n");
        assertThat(((JsonArray) j.get("routes")).stream().map(r -> ((JsonObject) r).getString("id") + "=" + ((JsonObject) r).getString("state")))
                .containsExactly("cleanup=Started", "disk-guard=Stopped", "load=Started", "load-sample=Stopped", "upload=Started");
        JsonObject pending = (JsonObject) j.get("pending");
        assertThat(pending.getInteger("count")).isEqualTo(3);
        assertThat(pending.getInteger("unmarked")).isEqualTo(1);
        assertThat(pending.getLong("totalBytes")).isEqualTo(3 * 1024 * 1024 + 1000 + 10);
        assertThat(pending.getLong("oldestAgeSeconds")).isBetween(5 * 3600L, 5 * 3600L + 600);
        List<?> stuck = (List<?>) pending.get("stuck");
        assertThat(stuck).hasSize(2);
        JsonObject refused = (JsonObject) stuck.get(0);
        assertThat(refused.getString("id")).isEqualTo("refused-1");
        assertThat(refused.getLong("bytes")).isEqualTo(3 * 1024 * 1024);
        assertThat(refused.getInteger("attempts")).isEqualTo(4);
        assertThat(refused.getString("lastError")).isEqualTo("HTTP 401 Unauthorized: check the secret");
        assertThat(Instant.parse(refused.getString("nextAttempt"))).isEqualTo(NEXT);
        JsonObject quiet = (JsonObject) stuck.get(1);
        assertThat(quiet.getString("id")).isEqualTo("quiet-2");
        assertThat(quiet.get("attempts")).isNull();
        JsonObject uploads = (JsonObject) j.get("uploads");
        assertThat(uploads.getBoolean("enabled")).isTrue();
        assertThat(uploads.getBoolean("paused")).isFalse();
        assertThat(uploads.get("pausedBecause")).isNull();
        assertThat(uploads.getInteger("waiting")).isEqualTo(3);
        JsonObject cleanup = (JsonObject) j.get("cleanup");
        assertThat(cleanup.get("lastPassAt")).isNull();
        assertThat(Instant.parse(cleanup.getString("nextPassAt"))).isAfter(Instant.now());
        JsonObject disk = (JsonObject) j.get("disk");
        assertThat(disk.getLong("freeBytes")).isCloseTo(Files.getFileStore(archived).getUsableSpace(), org.assertj.core.data.Offset.offset(512L * 1024 * 1024));
        assertThat(((JsonObject) j.get("load")).get("percent")).isNotNull();
    }

    @Test
    void theUnmarkedCountIsAMetric() throws Exception {
        assertThat(node.management("/observe/metrics").body()).containsPattern("(?m)^b3lb_unmarked_recordings 1\\.0$")
                .containsPattern("(?m)^b3lb_pending_recordings 3\\.0$");
    }

    @Test
    void nothingListeningIsNotRunning() {
        int closed = org.apache.camel.test.AvailablePortFinder.getNextAvailable();
        Out s = status(closed, false);
        assertThat(s.exit).isEqualTo(StatusCommand.NOT_RUNNING);
        assertThat(s.out).isEmpty();
        assertThat(s.err).isEqualTo("b3lb-node status: b3lb-node is not running: nothing answers on 127.0.0.1:" + closed
                + " (b3lb.management.host/port); systemctl status b3lb-node\n");
    }

    @Test
    void anAnswerThatIsNotTheStatusIsSaidToBeNone() throws Exception {
        com.sun.net.httpserver.HttpServer other = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        other.createContext("/", x -> {
            x.sendResponseHeaders(200, 6);
            x.getResponseBody().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            x.close();
        });
        other.start();
        try {
            Out s = status(other.getAddress().getPort(), false);
            assertThat(s.exit).isEqualTo(StatusCommand.DEGRADED);
            assertThat(s.err).isEqualTo("b3lb-node status: http://127.0.0.1:" + other.getAddress().getPort()
                    + "/observe/status answered something that is not b3lb-node's status (another program on that port?)\n");
        } finally {
            other.stop(0);
        }
    }

    @Test
    void anotherProgramOnThePortIsNotTakenForTheService() {
        // the load port answers HTTP, but not /observe/status
        Out s = status(node.loadPort(), false);
        assertThat(s.exit).isEqualTo(StatusCommand.DEGRADED);
        assertThat(s.err).contains("answered 404").contains("older b3lb-node or another program");
    }
}
