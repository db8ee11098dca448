package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10 D10: what the file consumer skips silently is said once and counted. */
class MarkerAuditTest {

    @TempDir
    Path tmp;

    @Test
    void aRecordingDirThatIsAFileIsOneErrorAndNoPoll() throws Exception {
        Path file = Files.writeString(tmp.resolve("archived"), "x");
        LogCapture logs = LogCapture.everything();
        MarkerAudit audit = new MarkerAudit(file);
        assertThat(audit.dirReadable()).isFalse();
        assertThat(audit.dirReadable()).isFalse();
        assertThat(logs.lines("ERROR", "recording directory " + file + " is not a directory")).hasSize(1);
        Files.delete(file);
        Files.createDirectory(file);
        assertThat(audit.dirReadable()).isTrue();
        assertThat(logs.lines("INFO", "recording directory " + file + " is readable again")).hasSize(1);
    }

    @Test
    void hiddenDirectoryAndBadlyNamedMarkersAreLoggedOnceAndCounted() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("archived"));
        Files.write(dir.resolve(".hidden.ready"), new byte[0]);
        Files.createDirectory(dir.resolve("adir.ready"));
        Files.write(dir.resolve("two\nlines.ready"), new byte[0]);
        Files.write(dir.resolve("fine.ready"), new byte[0]);
        LogCapture logs = LogCapture.everything();
        MarkerAudit audit = new MarkerAudit(dir);
        assertThat(audit.dirReadable()).isTrue();
        audit.listing();
        audit.skipped("two\nlines.ready", "again, from the filter");
        assertThat(audit.skippedCount()).isEqualTo(3);
        assertThat(logs.lines("WARN", "\".hidden.ready\"")).singleElement().asString().contains("hidden");
        assertThat(logs.lines("WARN", "\"adir.ready\"")).singleElement().asString().contains("directory");
        assertThat(logs.lines("WARN", "\"two\\u000alines.ready\"")).hasSize(1);
        assertThat(logs.lines()).noneMatch(l -> l.contains("two\nlines"));
    }

    /** Issue 20: the scan and the listing name the same markers the same way, so each is said once. */
    @Test
    void fifoLinkAndTooLongMarkersAreSaidOnceByTheScanAndTheListingTogether() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("archived"));
        Process mk = new ProcessBuilder("mkfifo", dir.resolve("fifo.ready").toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        Files.createSymbolicLink(dir.resolve("link.ready"), tmp.resolve("nowhere"));
        Files.write(dir.resolve("x".repeat(201) + ".ready"), new byte[0]);
        Files.write(dir.resolve("fine.ready"), new byte[0]);
        LogCapture logs = LogCapture.everything();
        MarkerAudit audit = new MarkerAudit(dir);
        assertThat(audit.dirReadable()).isTrue();
        audit.listing();
        java.util.List<Path> taken = new java.util.ArrayList<>();
        audit.list(dir, () -> true, taken::add);
        assertThat(taken).containsExactly(dir.resolve("fine.ready"));
        assertThat(audit.skippedCount()).isEqualTo(3);
        assertThat(logs.lines("WARN", "\"fifo.ready\"")).singleElement().asString().contains("not a regular file");
        assertThat(logs.lines("WARN", "\"link.ready\"")).singleElement().asString().contains("symbolic link");
        assertThat(logs.lines("WARN", "x".repeat(201))).singleElement().asString().contains("at most 200 characters");
    }
}
