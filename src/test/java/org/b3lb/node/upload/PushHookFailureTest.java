package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.b3lb.node.layout.RecordingLayout;
import org.b3lb.node.upload.HookFixture.Run;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook run that cannot finish leaves no tar it did not mark (issue 20, L3): the cleanup keeps a
 * tar without marker and evidence forever, and 1.0's cleanup deleted it as uploaded. And ids that
 * do not fit the recording directory's names are refused before anything is written.
 */
class PushHookFailureTest {

    static final String ID = PushHookPublishTest.ID;
    static final String NONCE = PushHookPublishTest.NONCE;
    static final Map<String, String> B3LB = PushHookPublishTest.B3LB;

    @TempDir
    Path tmp;
    HookFixture f;

    @BeforeEach
    void dirs() throws Exception {
        f = new HookFixture(tmp);
    }

    @Test
    void aMarkerThatCannotBeWrittenLeavesNoTarNoMetaAndNoTemp() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m,nr_inodes=64,mode=0755", "tmpfs",
                small.toString()).redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(mount.waitFor() == 0,
                "skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): " + why.strip());
        try {
            Path rec = Files.createDirectories(small.resolve("rec"));
            Path fill = Files.createDirectories(small.resolve("fill"));
            // the filesystem's inodes run out while the hook runs: once the tar is written, something
            // else takes all of them but one, which the metadata takes; the marker finds none
            Path bin = f.tarWrapper("""
                    /bin/tar "$@" || exit $?
                    i=0
                    while touch "$FILL/f$i" 2>/dev/null; do i=$((i+1)); done
                    rm -f "$FILL/f0"
                    """);
            f.publishedRecording(ID, NONCE, 3000);
            Map<String, String> env = new HashMap<>(f.pathFirst(bin));
            env.putAll(B3LB);
            env.putAll(Map.of("FILL", fill.toString(), "B3LB_RECORDING_DIR", rec.toString(), "B3LB_FREE_SPACE_MARGIN", "0"));
            Run r = f.hook(env, "-m", ID, "-f", "presentation");
            assertThat(r.code()).as(r.output()).isEqualTo(1);
            assertThat(r.output()).contains(ID).contains("No space left on device")
                    .contains("/." + ID + RecordingLayout.MARKER + ".").contains("nothing in " + rec)
                    .contains("-m " + ID + " -f presentation");
            assertThat(HookFixture.list(rec)).isEmpty();
        } finally {
            new ProcessBuilder("umount", "-l", small.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void aMarkerThatCannotBeRenamedIntoPlaceTakesBackTheTarAndMetaOfThisRun() throws Exception {
        f.publishedRecording(ID, NONCE, 3000);
        // whatever put it there, a directory where the marker goes makes the marker's rename fail
        Files.createDirectories(f.rec.resolve(ID + RecordingLayout.MARKER));
        Run r = f.hook(B3LB, "-m", ID, "-f", "presentation");
        assertThat(r.code()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains(ID + ": renaming this run's files into place failed").contains("Is a directory")
                .contains("-m " + ID + " -f presentation");
        assertThat(f.recordingDir()).containsExactly(ID + RecordingLayout.MARKER);
        assertThat(f.rec.resolve(ID + RecordingLayout.MARKER)).isEmptyDirectory();

        // spec: a tar already there is only marked again; failing that, it is not this run's to remove
        Files.writeString(f.rec.resolve("m-1" + RecordingLayout.TAR), "already here");
        Files.createDirectories(f.rec.resolve("m-1" + RecordingLayout.MARKER));
        Run spec = f.hook(Map.of(), "-m", "m-1");
        assertThat(spec.code()).as(spec.output()).isEqualTo(1);
        assertThat(f.rec.resolve("m-1" + RecordingLayout.TAR)).hasContent("already here");
        assertThat(f.recordingDir()).containsExactly(ID + RecordingLayout.MARKER, "m-1" + RecordingLayout.MARKER,
                "m-1" + RecordingLayout.TAR);
    }

    @Test
    void anIdLongerThanTheLayoutAllowsIsRefusedUpFrontAndTheLongestAllowedIsPacked() throws Exception {
        String tooLong = "a".repeat(RecordingLayout.MAX_ID_LENGTH + 1);
        f.rawRecording(tooLong, "b3lb-recordset=\"" + NONCE + "\"", 100);
        f.publishedRecording(tooLong, NONCE, 100);
        for (Run r : List.of(f.hook(Map.of(), "-m", tooLong), f.hook(B3LB, "-m", tooLong, "-f", "presentation"))) {
            assertThat(r.code()).as(r.output()).isEqualTo(1);
            assertThat(r.output().strip().lines()).singleElement().asString()
                    .contains("refusing meeting id").contains("(201 characters)").contains("at most 200")
                    .contains("nothing done");
        }
        // nothing at all, not even a lock
        try (var s = Files.list(f.rec)) {
            assertThat(s).isEmpty();
        }

        // the longest id allowed is packed: its longest name, .<id>.meta.xml.<pid>.tmp, fits in 255 bytes
        String longest = "b".repeat(RecordingLayout.MAX_ID_LENGTH);
        f.publishedRecording(longest, NONCE, 100);
        Run r = f.hook(B3LB, "-m", longest, "-f", "presentation");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(f.recordingDir()).containsExactly(longest + RecordingLayout.META, longest + RecordingLayout.MARKER,
                longest + RecordingLayout.TAR);
    }
}
