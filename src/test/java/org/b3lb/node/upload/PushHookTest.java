package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.b3lb.node.upload.HookFixture.Run;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook under {@code b3lb.protocol=spec} (the default), run from post_archive the way
 * BigBlueButton runs it: {@code ruby <script> -m <meeting_id>}; and which stage acts under which
 * protocol. The b3lb protocol's post_publish run: {@link PushHookPublishTest}.
 */
class PushHookTest {

    @TempDir
    Path tmp;
    HookFixture f;
    Path raw;
    Path rec;

    @BeforeEach
    void dirs() throws IOException {
        f = new HookFixture(tmp);
        raw = f.raw;
        rec = f.rec;
    }

    private Run hook(Map<String, String> env, String... args) throws Exception {
        return f.hook(env, args);
    }

    private Run hook(String... args) throws Exception {
        return f.hook(Map.of(), args);
    }

    private List<String> recordingDir() throws IOException {
        return f.recordingDir();
    }

    @Test
    void makesTheTarThenTheMarkerAndLeavesNoTemporaryFile() throws Exception {
        String id = "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1700000000000";
        f.rawRecording(id);
        Run r = hook("-m", id);
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(recordingDir()).containsExactly(id + ".ready", id + ".tar");
        assertThat(HookFixture.tarList(rec.resolve(id + ".tar")))
                .contains(id + "/", id + "/events.xml", id + "/audio/audio.opus");
        assertThat(r.output()).contains(id).contains("marked for upload");
        // the spec's marker is empty; under b3lb it carries the nonce
        assertThat(rec.resolve(id + ".ready")).isEmptyFile();
    }

    @Test
    void longOptionWorksToo() throws Exception {
        f.rawRecording("m-2");
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
            boolean cleanupOwns = org.b3lb.node.layout.RecordingLayout.idOf(id + org.b3lb.node.layout.RecordingLayout.TAR, org.b3lb.node.layout.RecordingLayout.TAR) != null;
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
        f.rawRecording("m-4");
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
        f.rawRecording("m-5");
        Path missing = tmp.resolve("missing-dir");
        Run r = hook(Map.of("B3LB_RECORDING_DIR", missing.toString()), "-m", "m-5");
        assertThat(r.code()).isNotZero();
        assertThat(r.output()).contains("does not exist");
        assertThat(missing).doesNotExist();
    }

    @Test
    void tarThatFailsHalfwayLeavesNeitherTarNorTmpNorMarker() throws Exception {
        f.rawRecording("m-6");
        // a tar that writes half an archive, then dies (disk full, say)
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = Files.writeString(bin.resolve("tar"), "#!/bin/sh\nprintf partial > \"$2\"\necho 'tar: write error' >&2\nexit 2\n");
        fake.toFile().setExecutable(true);
        Run r = hook(Map.of("PATH", bin + ":" + System.getenv("PATH")), "-m", "m-6");
        assertThat(r.code()).isNotZero();
        assertThat(r.output()).contains("tar: write error");
        assertThat(recordingDir()).isEmpty();
    }

    @Test
    void underSpecThePostPublishRunDoesNothing() throws Exception {
        f.rawRecording("m-7", "b3lb-recordset=\"n0nce\"", 5000);
        f.publishedRecording("m-7", "n0nce", 100);
        for (String format : List.of("presentation", "video")) {
            Run r = hook("-m", "m-7", "-f", format);
            assertThat(r.code()).as(r.output()).isZero();
        }
        assertThat(recordingDir()).isEmpty();
    }

    @Test
    void underB3lbThePostArchiveRunDoesNothing() throws Exception {
        f.rawRecording("m-8", "b3lb-recordset=\"n0nce\"", 5000);
        f.publishedRecording("m-8", "n0nce", 100);
        Run env = hook(Map.of("B3LB_PROTOCOL", "b3lb"), "-m", "m-8");
        assertThat(env.code()).as(env.output()).isZero();
        // the same, with the protocol from the service's config file as a packaged node has it
        Path cfg = Files.writeString(tmp.resolve("application.properties"), "b3lb.protocol = b3lb\n");
        Run file = hook(Map.of("B3LB_CONFIG", cfg.toString()), "-m", "m-8");
        assertThat(file.code()).as(file.output()).isZero();
        assertThat(recordingDir()).isEmpty();
        // ...where its post_publish run acts
        Run publish = hook(Map.of("B3LB_CONFIG", cfg.toString()), "-m", "m-8", "-f", "presentation");
        assertThat(publish.code()).as(publish.output()).isZero();
        assertThat(recordingDir()).containsExactly("m-8.meta.xml", "m-8.ready", "m-8.tar");
    }

    @Test
    void anUnknownProtocolIsAnErrorAndNothingIsWritten() throws Exception {
        f.rawRecording("m-9");
        Run r = hook(Map.of("B3LB_PROTOCOL", "b3lb3"), "-m", "m-9");
        assertThat(r.code()).isNotZero();
        assertThat(r.output()).contains("invalid b3lb.protocol \"b3lb3\"").contains("must be spec or b3lb");
        assertThat(recordingDir()).isEmpty();
    }

    @Test
    void tooLittleFreeSpaceForTheTarLeavesEverythingAsItWas() throws Exception {
        f.rawRecording("m-10");
        // no filesystem has an exabyte free: the real free space of the test's disk is too little
        Run r = hook(Map.of("B3LB_FREE_SPACE_MARGIN", Long.toString(1L << 60)), "-m", "m-10");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).contains("m-10: not packing " + raw.resolve("m-10")).contains("free on the filesystem of " + rec)
                .contains("BBB's files are left alone").contains("-m m-10");
        assertThat(recordingDir()).isEmpty();
        assertThat(raw.resolve("m-10/audio/audio.opus")).hasSize(5000);
    }

    @Test
    void onARealSmallFilesystemTheTarIsWrittenOnlyWhenItFitsWithTheMargin() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes());
        Assumptions.assumeTrue(mount.waitFor() == 0,
                "skipped: cannot mount a 4 MiB tmpfs here (needs root with CAP_SYS_ADMIN): " + why.strip());
        try {
            Map<String, String> env = Map.of("B3LB_RECORDING_DIR", small.toString());
            // 3 MiB of raw recording: fits in 4 MiB, but not with the default 64 MiB margin
            f.rawRecording("fits", "", 3 << 20);
            Run refused = hook(env, "-m", "fits");
            assertThat(refused.code()).as(refused.output()).isZero();
            assertThat(refused.output()).contains("not packing").contains("64.0 MiB margin");
            try (Stream<Path> s = Files.list(small)) {
                assertThat(s).isEmpty();
            }
            Map<String, String> noMargin = Map.of("B3LB_RECORDING_DIR", small.toString(), "B3LB_FREE_SPACE_MARGIN", "0");
            Run packed = hook(noMargin, "-m", "fits");
            assertThat(packed.code()).as(packed.output()).isZero();
            assertThat(small.resolve("fits.ready")).exists();
            assertThat(small.resolve("fits.tar")).isRegularFile();
            // what is left (under 1 MiB) cannot take another 1 MiB + 10 %, even without a margin
            f.rawRecording("too-big", "", 1 << 20);
            Run full = hook(noMargin, "-m", "too-big");
            assertThat(full.code()).as(full.output()).isZero();
            assertThat(full.output()).contains("too-big: not packing");
            assertThat(HookFixture.list(small)).containsExactly("fits.ready", "fits.tar");
        } finally {
            new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
        }
    }
}
