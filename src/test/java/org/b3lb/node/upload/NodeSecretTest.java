package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running route's secret file watch: a rewritten file is used, a broken one is reported once and ignored. */
class NodeSecretTest {

    @TempDir
    Path tmp;

    static void replace(Path file, String content) throws Exception {
        Path fresh = Files.writeString(file.resolveSibling(file.getFileName() + ".new"), content);
        Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void anInvalidNewFileIsOneErrorNamingTheFileAndTheOldSecretStays() throws Exception {
        LogCapture log = LogCapture.everything();
        Path file = Files.writeString(tmp.resolve("secret"), "first-s3cret\n");
        NodeSecret secret = new NodeSecret(file, "first-s3cret");
        assertThat(secret.get()).isEqualTo("first-s3cret");
        long generation = secret.generation();

        replace(file, "");
        assertThat(secret.get()).isEqualTo("first-s3cret");
        assertThat(secret.get()).isEqualTo("first-s3cret");
        replace(file, "caf\u00e9-s3cret");
        assertThat(secret.get()).isEqualTo("first-s3cret");
        assertThat(secret.generation()).isEqualTo(generation);
        List<String> errors = log.lines().stream().filter(l -> l.contains(file.toString()) && l.contains("keep using the secret read before")).toList();
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).contains("is empty; write the secret");
        assertThat(errors.get(1)).contains("must be printable ASCII");

        replace(file, "second-s3cret\n");
        assertThat(secret.get()).isEqualTo("second-s3cret");
        assertThat(secret.generation()).isEqualTo(generation + 1);
        assertThat(log.lines()).noneMatch(l -> l.contains("first-s3cret") || l.contains("second-s3cret"));
    }

    @Test
    void aMissingFileKeepsTheOldSecret() throws Exception {
        Path file = Files.writeString(tmp.resolve("secret"), "kept-s3cret");
        NodeSecret secret = new NodeSecret(file, "kept-s3cret");
        Files.delete(file);
        assertThat(secret.get()).isEqualTo("kept-s3cret");
    }

    @Test
    void aChangedSecretReleasesRecordingsRefusedFor401ButNotFor404() throws Exception {
        Path file = Files.writeString(tmp.resolve("secret"), "one-s3cret");
        long[] now = {1_000_000};
        RecordingSchedule schedule = new RecordingSchedule(new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10)),
                Duration.ofSeconds(1), () -> now[0]);
        NodeSecret secret = NodeSecret.of(new UploadConfigStub(file).config(), schedule);
        schedule.rejected("a", "HTTP 401", 401);
        schedule.rejected("b", "HTTP 404", 404);
        assertThat(schedule.due("a")).isFalse();
        replace(file, "two-s3cret");
        secret.refresh();
        assertThat(schedule.due("a")).isTrue();
        assertThat(schedule.due("b")).isFalse();
    }

    /** Built the way the service builds it, so the watched file is the one the config names. */
    record UploadConfigStub(Path file) {
        UploadConfig config() throws Exception {
            return UploadConfig.from(org.b3lb.node.config.Settings.load(null, java.util.Map.of(), java.util.Map.of(
                    "b3lb.recording-dir", file.getParent().toString(),
                    "b3lb.upload.endpoint", "http://127.0.0.1:1/upload",
                    "b3lb.upload.secret-file", file.toString())));
        }
    }
}
