package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code push --once}: the same route, once, with a summary and an exit code for scripts. */
class PushOnceTest {

    @TempDir
    Path dir;
    Sink sink;

    @BeforeEach
    void sink() throws Exception {
        sink = new Sink();
    }

    @AfterEach
    void close() throws Exception {
        sink.close();
    }

    private UploadConfig config() {
        return UploadConfig.from(Settings.load(null, Map.of(), Map.of(
                "b3lb.recording-dir", dir.toString(),
                "b3lb.upload.endpoint", sink.endpoint(),
                "b3lb.upload.secret", "push-secret",
                "b3lb.upload.initial-delay", "10ms",
                "b3lb.upload.max-delay", "50ms",
                "b3lb.upload.max-redeliveries", "2")));
    }

    @Test
    void drainsEveryMarkerOnceAndFailsIfOneFailed() throws Exception {
        sink.script("p-bad", Sink.Action.status(401));
        sink.script("p-flaky", Sink.Action.status(502));
        Recordings.ready(dir, "p-1", 1000);
        Recordings.ready(dir, "p-flaky", 1000);
        Recordings.ready(dir, "p-bad", 1000);
        Recordings.marker(dir, "p-missing");
        Recordings.tar(dir, "not-marked", 1000);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = PushOnce.run(config(), new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("uploaded 2, failed 1, missing tar 1\n");
        assertThat(code).isEqualTo(1);
        assertThat(dir.resolve("p-1.ready")).doesNotExist();
        assertThat(dir.resolve("p-flaky.ready")).doesNotExist();
        assertThat(dir.resolve("p-missing.ready")).doesNotExist();
        assertThat(dir.resolve("p-bad.ready")).exists();
        assertThat(dir.resolve("p-bad.tar")).exists();
        assertThat(sink.requests("not-marked")).isZero();
        assertThat(sink.received("p-1").get(0).secret()).isEqualTo("push-secret");
    }

    @Test
    void aMissingRecordingDirectoryIsOneLineNamingItAndTheSetting() throws Exception {
        Path missing = dir.resolve("nope");
        UploadConfig config = UploadConfig.from(Settings.load(null, Map.of(), Map.of("b3lb.recording-dir", missing.toString(),
                "b3lb.upload.endpoint", sink.endpoint(), "b3lb.upload.secret", "push-secret")));
        assertThatThrownBy(() -> PushOnce.run(config, System.out)).isInstanceOf(ConfigException.class)
                .hasMessage("recording directory " + missing + " does not exist: create it or fix b3lb.recording-dir");
    }

    @Test
    void exitsZeroWhenAllWentThrough() throws Exception {
        Recordings.ready(dir, "q-1", 1000);
        Recordings.ready(dir, "q-2", 1000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(PushOnce.run(config(), new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("uploaded 2, failed 0, missing tar 0\n");
    }

    @Test
    void transientFailuresThatOutlastTheRedeliveriesCountAsFailed() throws Exception {
        sink.otherwise(Sink.Action.status(503));
        Recordings.ready(dir, "r-1", 1000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(PushOnce.run(config(), new PrintStream(out, true, StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("uploaded 0, failed 1, missing tar 0\n");
        assertThat(sink.requests("r-1")).isEqualTo(3);
        assertThat(dir.resolve("r-1.ready")).exists();
    }

    @Test
    @Timeout(120) // before the fix the run waited for ever for a marker the route never takes
    void aSymlinkedMarkerIsNoPendingRecordingOfTheRun() throws Exception {
        Recordings.ready(dir, "s-1", 1000);
        Recordings.tar(dir, "s-link", 1000);
        Path target = Files.writeString(dir.resolve("elsewhere"), "");
        Files.createSymbolicLink(dir.resolve("s-link.ready"), target);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(PushOnce.run(config(), new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("uploaded 1, failed 0, missing tar 0\n");
        assertThat(sink.requests("s-link")).isZero();
    }
}
