package org.b3lb.node.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Editing the admin's config file: values set, everything else kept. */
class PropertiesFileTest {

    @TempDir
    Path dir;

    @Test
    void replacesActiveLinesAddsAfterTheExampleOrAtTheEndAndKeepsTheRest() throws Exception {
        Path f = Files.writeString(dir.resolve("application.properties"), "# header comment\n"
                + "b3lb.protocol = spec\n\n# the endpoint\n#b3lb.upload.endpoint=https://example/\nb3lb.upload.concurrency=2\n"
                + "b3lb.cleaner.cron=0 0 3 * * ?\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        PropertiesFile p = PropertiesFile.read(f);
        assertThat(p.get("b3lb.protocol")).isEqualTo("spec");
        assertThat(p.get("b3lb.cleaner.cron")).isEqualTo("0 0 3 * * ?");
        assertThat(p.set("b3lb.protocol", "b3lb")).isTrue();
        assertThat(p.set("b3lb.upload.endpoint", "https://lb/b3lb/b/record/upload")).isTrue();
        assertThat(p.set("b3lb.cleaner.retention-days", "14")).isTrue();
        assertThat(p.set("b3lb.upload.concurrency", "2")).isFalse();
        p.write();
        assertThat(Files.readString(f)).isEqualTo("# header comment\nb3lb.protocol=b3lb\n\n# the endpoint\n"
                + "#b3lb.upload.endpoint=https://example/\nb3lb.upload.endpoint=https://lb/b3lb/b/record/upload\n"
                + "b3lb.upload.concurrency=2\nb3lb.cleaner.cron=0 0 3 * * ?\nb3lb.cleaner.retention-days=14\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----");
        try (var s = Files.list(dir)) {
            assertThat(s).hasSize(1);
        }
    }

    @Test
    void theLastActiveLineIsTheValueAndEveryActiveLineGetsTheNewOne() throws Exception {
        Path f = Files.writeString(dir.resolve("a.properties"), "b3lb.protocol=spec\nb3lb.protocol=b3lb");
        PropertiesFile p = PropertiesFile.read(f);
        assertThat(p.get("b3lb.protocol")).isEqualTo("b3lb");
        assertThat(p.set("b3lb.protocol", "spec")).isTrue();
        p.write();
        assertThat(Files.readString(f)).isEqualTo("b3lb.protocol=spec\nb3lb.protocol=spec");
    }
}
