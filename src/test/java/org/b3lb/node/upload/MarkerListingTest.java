package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.b3lb.node.layout.RecordingLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 C3: the upload route's listing hands on only markers, never more than the room it is
 * given, and never opens an entry. Its memory claim (a 200,000-entry directory under the unit's
 * heap) is proved by bench/listing-heap.sh, which cannot run in a test's JVM.
 */
class MarkerListingTest {

    @TempDir
    Path tmp;

    private Path dir;

    private final MarkerAudit audit = new MarkerAudit(Path.of("/nonexistent"));

    @org.junit.jupiter.api.BeforeEach
    void directory() throws IOException {
        dir = Files.createDirectory(tmp.resolve("archived"));
    }

    @Test
    void onlyValidRegularMarkersAreHandedOnAmongLongNamedEntries() throws Exception {
        String longId = "r".repeat(RecordingLayout.MAX_ID_LENGTH);
        for (int i = 0; i < 3000; i++) {
            // 210-character names of every other kind the directory holds
            String stem = String.format("%08d-", i);
            for (String suffix : new String[] {RecordingLayout.TAR, RecordingLayout.META, RecordingLayout.EVIDENCE}) {
                Files.createFile(dir.resolve(stem + "x".repeat(210 - stem.length() - suffix.length()) + suffix));
            }
        }
        Files.createFile(dir.resolve(longId + RecordingLayout.MARKER));
        Files.createFile(dir.resolve("plain" + RecordingLayout.MARKER));
        Files.createFile(dir.resolve(RecordingLayout.tempName("plain", RecordingLayout.MARKER, "123")));
        Files.createFile(dir.resolve(".hidden" + RecordingLayout.MARKER));
        Files.createFile(dir.resolve("r" + longId + RecordingLayout.MARKER)); // one character too long
        Files.createFile(dir.resolve("two words" + RecordingLayout.MARKER));
        Files.createDirectory(dir.resolve("adir" + RecordingLayout.MARKER));
        Files.createFile(dir.resolve(RecordingLayout.MARKER));

        List<String> taken = new ArrayList<>();
        assertThat(audit.list(dir, () -> true, p -> taken.add(p.getFileName().toString()))).isTrue();

        assertThat(taken).containsExactlyInAnyOrder(longId + RecordingLayout.MARKER, "plain" + RecordingLayout.MARKER);
        // the two bad ids are said once each; hidden names and directories are MarkerAudit's scan's
        assertThat(audit.skippedCount()).isEqualTo(2);
    }

    @Test
    void listingStopsAtTheRoomItIsGiven() throws Exception {
        for (int i = 0; i < 500; i++) {
            Files.createFile(dir.resolve("rec-" + i + RecordingLayout.MARKER));
            Files.createFile(dir.resolve("rec-" + i + RecordingLayout.TAR));
        }
        List<Path> taken = new ArrayList<>();
        assertThat(audit.list(dir, () -> taken.size() < 100, taken::add)).isFalse();
        assertThat(taken).hasSize(100).allMatch(p -> p.getFileName().toString().endsWith(RecordingLayout.MARKER));

        List<Path> all = new ArrayList<>();
        assertThat(audit.list(dir, () -> true, all::add)).isTrue();
        assertThat(all).hasSize(500);
    }

    /** An open of a FIFO for reading blocks until a writer comes: the timeout turns such a hang into a failure. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fifosAndLinksNamedLikeMarkersAreReportedOnceAndNeverOpened() throws Exception {
        Path fifo = dir.resolve("fifo" + RecordingLayout.MARKER);
        mkfifo(fifo);
        Path elsewhere = mkfifo(tmp.resolve("outside.fifo"));
        Files.createSymbolicLink(dir.resolve("link" + RecordingLayout.MARKER), elsewhere);
        Files.createFile(dir.resolve("real" + RecordingLayout.MARKER));
        LogCapture logs = LogCapture.everything();

        for (int poll = 0; poll < 3; poll++) {
            List<String> taken = new ArrayList<>();
            assertThat(audit.list(dir, () -> true, p -> taken.add(p.getFileName().toString()))).isTrue();
            assertThat(taken).containsExactly("real" + RecordingLayout.MARKER);
        }

        assertThat(logs.lines("WARN", "\"fifo.ready\"")).singleElement().asString().contains("not a regular file");
        assertThat(logs.lines("WARN", "\"link.ready\"")).singleElement().asString().contains("symbolic link");
        assertThat(audit.skippedCount()).isEqualTo(2);
    }

    @Test
    void anUnreadableDirectoryIsAnError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> audit.list(dir.resolve("missing"), () -> true, p -> { }))
                .isInstanceOf(IOException.class);
    }

    private static Path mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        return p;
    }
}
