package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The post_archive hook, run the way BigBlueButton runs it: {@code ruby <script> -m <meeting_id>}. */
class PushHookTest {

    static final Path HOOK = Path.of("src/main/bbb/b3lb-push-hook.rb").toAbsolutePath();

    @TempDir
    Path tmp;
    Path raw;
    Path rec;

    record Run(int code, String output) {
    }

    @BeforeEach
    void dirs() throws IOException {
        raw = Files.createDirectories(tmp.resolve("raw"));
        rec = Files.createDirectories(tmp.resolve("archived"));
    }

    private Run hook(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ruby", HOOK.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("B3LB_RAW_DIR", raw.toString());
        pb.environment().put("B3LB_RECORDING_DIR", rec.toString());
        pb.environment().put("B3LB_CONFIG", tmp.resolve("no-such.properties").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private Run hook(String... args) throws Exception {
        return hook(Map.of(), args);
    }

    private List<String> tarList(Path tar) throws Exception {
        Process p = new ProcessBuilder("tar", "-tf", tar.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    private void rawRecording(String id) throws IOException {
        Path d = Files.createDirectories(raw.resolve(id).resolve("audio"));
        Files.writeString(raw.resolve(id).resolve("events.xml"), "<recording/>");
        Files.write(d.resolve("audio.opus"), new byte[5000]);
    }

    private List<String> recordingDir() throws IOException {
        try (Stream<Path> s = Files.list(rec)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void makesTheTarThenTheMarkerAndLeavesNoTemporaryFile() throws Exception {
        String id = "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1700000000000";
        rawRecording(id);
        Run r = hook("-m", id);
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(recordingDir()).containsExactly(id + ".ready", id + ".tar");
        assertThat(tarList(rec.resolve(id + ".tar")))
                .contains(id + "/", id + "/events.xml", id + "/audio/audio.opus");
        assertThat(r.output()).contains(id).contains("marked for upload");
    }

    @Test
    void longOptionWorksToo() throws Exception {
        rawRecording("m-2");
        assertThat(hook("--meeting-id", "m-2").code()).isZero();
        assertThat(recordingDir()).containsExactly("m-2.ready", "m-2.tar");
    }

    @Test
    void existingTarOnlyGetsItsMarker() throws Exception {
        Files.writeString(rec.resolve("m-3.tar"), "already here");
        assertThat(hook("-m", "m-3").code()).isZero();
        assertThat(recordingDir()).containsExactly("m-3.ready", "m-3.tar");
        assertThat(Files.readString(rec.resolve("m-3.tar"))).isEqualTo("already here");
    }

    @Test
    void badIdsAreRefusedWithoutTouchingAnything() throws Exception {
        for (String bad : List.of("../x", "a b", ".", "..", "a/b", ".hidden", "-rf", "_x", "x;rm -rf /", "")) {
            Run r = hook("-m", bad);
            assertThat(r.code()).as(bad).isNotZero();
            assertThat(r.output()).as(bad).containsAnyOf("refusing meeting id", "no meeting id");
        }
        assertThat(recordingDir()).isEmpty();
        assertThat(tmp.resolve("x.tar")).doesNotExist();
    }

    @Test
    void theHookWritesOnlyTarsTheCleanupCanRemove() throws Exception {
        // a tar the hook writes but the cleanup does not recognise would stay on disk forever
        for (String id : List.of("183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1554230749920", "a.b", "A_1-x", "r.2026",
                "-x", "_x", ".x", "a b", "ü")) {
            boolean hookAccepts = hook("-m", id).code() == 0;
            boolean cleanupOwns = org.b3lb.node.cleanup.RetentionRule.recordingId(id + ".tar") != null;
            assertThat(hookAccepts).as(id).isEqualTo(cleanupOwns);
        }
    }

    @Test
    void missingRawDirectoryIsLoggedAndNotAnError() throws Exception {
        Run r = hook("-m", "never-recorded");
        assertThat(r.code()).isZero();
        assertThat(r.output()).contains("no raw recording");
        assertThat(recordingDir()).isEmpty();
    }

    @Test
    void recordingDirComesFromTheServiceConfigWhenNotInTheEnvironment() throws Exception {
        rawRecording("m-4");
        Path other = Files.createDirectories(tmp.resolve("other"));
        Path cfg = Files.writeString(tmp.resolve("application.properties"),
                "# comment\nb3lb.load.port=8765\nb3lb.recording-dir = " + other + "\n");
        Run r = hook(Map.of("B3LB_RECORDING_DIR", "", "B3LB_CONFIG", cfg.toString()), "-m", "m-4");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(other.resolve("m-4.tar")).exists();
        assertThat(other.resolve("m-4.ready")).exists();
    }

    @Test
    void missingRecordingDirIsAnErrorAndNothingIsCreated() throws Exception {
        rawRecording("m-5");
        Path missing = tmp.resolve("missing-dir");
        Run r = hook(Map.of("B3LB_RECORDING_DIR", missing.toString()), "-m", "m-5");
        assertThat(r.code()).isNotZero();
        assertThat(r.output()).contains("does not exist");
        assertThat(missing).doesNotExist();
    }

    @Test
    void tarThatFailsHalfwayLeavesNeitherTarNorTmpNorMarker() throws Exception {
        rawRecording("m-6");
        // a tar that writes half an archive, then dies (disk full, say)
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = Files.writeString(bin.resolve("tar"), "#!/bin/sh\nprintf partial > \"$2\"\necho 'tar: write error' >&2\nexit 2\n");
        fake.toFile().setExecutable(true);
        Run r = hook(Map.of("PATH", bin + ":" + System.getenv("PATH")), "-m", "m-6");
        assertThat(r.code()).isNotZero();
        assertThat(r.output()).contains("tar: write error");
        assertThat(recordingDir()).isEmpty();
    }
}
