package org.b3lb.node.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node running the spec's scripts, two recordings waiting and two uploaded, taken over: dry run, run, run again. */
class SpecTakeoverTest {

    static final String ENDPOINT = "https://lb.example.net/b3lb/b/recording/upload";
    static final String SECRET = "spec-node-secret-4711";

    @TempDir
    Path root;
    OldNode node;
    Path rec;

    @BeforeEach
    void node() throws Exception {
        node = new OldNode(root);
        node.specScripts(ENDPOINT, SECRET, 14);
        rec = node.at(OldNode.ARCHIVED);
        for (String id : List.of("pending-1", "pending-2")) {
            Files.write(new RecordingFiles(rec, id).tar(), ("tar of " + id).repeat(100).getBytes(StandardCharsets.US_ASCII));
            Files.createFile(new RecordingFiles(rec, id).marker());
        }
        for (String id : List.of("sent-1", "sent-2")) {
            Path tar = Files.write(new RecordingFiles(rec, id).tar(), ("tar of " + id).repeat(100).getBytes(StandardCharsets.US_ASCII));
            Files.setLastModifiedTime(tar, FileTime.from(Instant.parse("2026-11-30T10:15:30Z")));
        }
    }

    private Cli migrate(String... more) {
        return Cli.run(Stream.concat(Stream.of("migrate", "--root", root.toString()), Stream.of(more)).toArray(String[]::new));
    }

    @Test
    void dryRunTellsEverythingAndChangesNothing() throws Exception {
        Map<String, String> before = node.tree();
        Cli dry = migrate("--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(node.tree()).isEqualTo(before);
        assertThat(dry.out())
                .contains("found: the spec's hook /usr/local/bigbluebutton/core/scripts/post_archive/b3lb-push-hook.rb")
                .contains("found: the spec's nginx snippet /etc/bigbluebutton/nginx/b3lb-load.nginx: proxies /b3lb/load to port 8765")
                .contains("found: the spec's unit /etc/systemd/system/b3lb-cleaner.timer")
                .contains("found: 2 recording(s) of the spec's waiting for upload (marker and tar): kept as they are")
                .contains("would: set b3lb.upload.endpoint=" + ENDPOINT)
                .contains("would: set b3lb.cleaner.retention-days=14")
                .contains("would: write the node secret (B3LB_NODE_SECRET in /usr/local/bin/b3lb-push) to ")
                .contains("would: record /var/bigbluebutton/recording/status/archived/sent-1.tar as uploaded")
                .doesNotContain(SECRET);
    }

    @Test
    void carriesTheSettingsRecordsTheUploadsRetiresTheScriptsAndASecondRunFindsNothingToDo() throws Exception {
        Map<String, String> pendingBefore = pending();
        Cli run = migrate();
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.toString()).doesNotContain(SECRET);

        String config = Files.readString(node.at(MigrateCommand.CONFIG));
        assertThat(config).contains("\nb3lb.protocol=spec\n").contains("\nb3lb.upload.endpoint=" + ENDPOINT + "\n")
                .contains("\nb3lb.cleaner.retention-days=14\n")
                .contains("\nb3lb.recording-dir=/var/bigbluebutton/recording/status/archived\n");
        Path secret = node.at("/etc/b3lb-node/secret");
        assertThat(Files.readString(secret)).isEqualTo(SECRET + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-r-----");

        assertThat(pending()).isEqualTo(pendingBefore);
        for (String id : List.of("sent-1", "sent-2")) {
            RecordingFiles f = new RecordingFiles(rec, id);
            assertThat(Evidence.uploadedAt(f, FileIdentity.of(f.tar()))).contains(Instant.parse("2026-11-30T10:15:30Z"));
        }
        for (String id : List.of("pending-1", "pending-2")) {
            assertThat(new RecordingFiles(rec, id).evidence()).doesNotExist();
        }
        for (String moved : List.of(OldNode.POST_ARCHIVE + "/b3lb-push-hook.rb", "/etc/bigbluebutton/nginx/b3lb-load.nginx",
                "/etc/systemd/system/b3lb-push.service", "/etc/systemd/system/b3lb-push.timer", "/etc/systemd/system/b3lb-load.service",
                "/etc/systemd/system/b3lb-cleaner.service", "/etc/systemd/system/b3lb-cleaner.timer")) {
            assertThat(node.at(moved)).as(moved).doesNotExist();
            assertThat(run.out()).contains("done: moved " + moved + " to ");
        }
        assertThat(node.at(OldNode.OUR_HOOK)).hasContent(Files.readString(Path.of("src/main/bbb/b3lb-push-hook.rb")));
        assertThat(node.at(OldNode.OUR_SNIPPET)).hasContent(Files.readString(Path.of("nginx/b3lb-node-load.nginx")));

        Map<String, String> after = node.tree();
        Cli again = migrate();
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).endsWith("migrate: nothing to do\n").doesNotContain("will:");
        assertThat(node.tree()).isEqualTo(after);
    }

    @Test
    void theSpecsExamplesAreNotCarried() throws Exception {
        node.specScripts(SettingsCarry.EXAMPLE_ENDPOINT, SettingsCarry.EXAMPLE_SECRET, 7);
        Cli run = migrate();
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(Files.readString(node.at("/etc/b3lb-node/secret"))).isEmpty();
        assertThat(Files.readString(node.at(MigrateCommand.CONFIG))).doesNotContain("\nb3lb.upload.endpoint=");
    }

    /** The spec's waiting recordings, byte for byte with their times. */
    private Map<String, String> pending() throws Exception {
        return node.tree().entrySet().stream().filter(e -> e.getKey().contains("pending-"))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
