package org.b3lb.node.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node running B3LB 3.3's own scripts, three recordings in its queue, taken over: dry run, run,
 * run again. The hook packs what it finds a nonce for; the others are packed as it packs them.
 */
class B3lbTakeoverTest {

    static final String NONCE_A = "aaaaAAAA0000!@*()_-aaaaAAAA0000!@*()_-aaaaAAAA0000!@*()_-aaaaAAAA";
    static final String NONCE_B = "bbbbBBBB1111bbbbBBBB1111bbbbBBBB1111bbbbBBBB1111bbbbBBBB1111bbbb";
    static final String NONCE_C = "cccc-C-2222cccc-C-2222cccc-C-2222cccc-C-2222cccc-C-2222cccc-C-22";
    static final String MID_A = "0123456789abcdef0123456789abcdef01234567-1700000000001";
    static final String MID_B = "0123456789abcdef0123456789abcdef01234567-1700000000002";
    static final String MID_C = "0123456789abcdef0123456789abcdef01234567-1700000000003";

    @TempDir
    Path root;
    OldNode node;

    @BeforeEach
    void node() throws Exception {
        node = new OldNode(root);
        node.b3lbScripts("https://b3lb.example.org");
        // A: raw events.xml still there (the hook reads the nonce from it)
        node.published(MID_A, NONCE_A);
        node.rawEvents(MID_A, NONCE_A);
        // B: raw files gone, the nonce only in the published metadata.xml
        node.published(MID_B, NONCE_B);
        // C: the hook finds no nonce (the meta tag was not kept): packed by migrate itself
        node.published(MID_C, null);
        node.queue(List.of(new String[] {MID_A, NONCE_A}, new String[] {MID_B, NONCE_B}, new String[] {MID_C, NONCE_C}));
    }

    private Cli migrate(String... more) {
        String[] args = Stream.concat(Stream.of("migrate", "--root", root.toString()), Stream.of(more)).toArray(String[]::new);
        return Cli.run(args);
    }

    @Test
    void dryRunTellsEverythingAndChangesNothing() throws Exception {
        Map<String, String> before = node.tree();
        Cli dry = migrate("--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(node.tree()).isEqualTo(before);
        assertThat(dry.out())
                .contains("found: B3LB's hook /usr/local/bigbluebutton/core/scripts/post_publish/b3lb-push-hook.rb")
                .contains("found: B3LB's unit /etc/systemd/system/b3lb-push.path")
                .contains("found: B3LB's nginx snippet /etc/bigbluebutton/nginx/b3lb-load.nginx")
                .contains("found: B3LB's config /etc/b3lb/push.properties")
                .contains("found: B3LB's queue /var/bigbluebutton/b3lb/push-queue.db: 3 row(s) waiting for upload")
                .contains("would: set b3lb.protocol=b3lb in ")
                .contains("would: set b3lb.upload.endpoint=https://b3lb.example.org/b3lb/b/record/upload in ")
                .contains("would: convert queued recording " + MID_C)
                .contains("would: stop and disable b3lb-push.timer")
                .contains("would: enable and restart b3lb-node")
                .contains("migrate --dry-run: ");
        // B3LB's cleaner ends overlong meetings, which b3lb-node does not: it stays
        assertThat(dry.out()).contains("b3lb-cleaner.service: ends meetings running too long; kept")
                .doesNotContain("would: stop and disable b3lb-cleaner");
    }

    @Test
    void convertsTheQueueRetiresTheScriptsAndASecondRunFindsNothingToDo() throws Exception {
        String configBefore = Files.readString(node.at(MigrateCommand.CONFIG));
        Cli run = migrate();
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("done: converted " + MID_A + " (packed by /usr/local/bigbluebutton/core/scripts/post_publish/"
                + "b3lb-node-push-hook.rb)")
                .contains("done: converted " + MID_B + " (packed by ")
                .contains("done: converted " + MID_C + " (packed as the hook does (the hook found no b3lb-recordset nonce")
                .contains("done: removed 3 row(s) from B3LB's queue")
                .contains("skipped: systemctl disable --now b3lb-push.path (--root")
                .contains("skipped: systemctl enable b3lb-node and systemctl restart b3lb-node (--root");

        Path rec = node.at(OldNode.ARCHIVED);
        for (String[] r : List.of(new String[] {MID_A, NONCE_A}, new String[] {MID_B, NONCE_B}, new String[] {MID_C, NONCE_C})) {
            assertThat(Files.readAllBytes(new RecordingFiles(rec, r[0]).tar())).isEqualTo(node.expectedTar(r[0]));
            assertThat(Files.readAllBytes(new RecordingFiles(rec, r[0]).meta()))
                    .isEqualTo(Files.readAllBytes(node.at(OldNode.PUBLISHED).resolve(r[0]).resolve("metadata.xml")));
            assertThat(Files.readString(new RecordingFiles(rec, r[0]).marker(), StandardCharsets.US_ASCII)).isEqualTo(r[1] + "\n");
        }
        try (Stream<Path> s = Files.list(rec)) {
            assertThat(s.map(p -> p.getFileName().toString())).hasSize(9).noneMatch(n -> n.startsWith("."));
        }

        assertThat(node.queueRows(node.at(OldNode.QUEUE))).isEmpty();
        Path backup;
        try (Stream<Path> s = Files.list(node.at(Backup.BASE))) {
            backup = s.findFirst().orElseThrow();
        }
        assertThat(run.out()).contains(backup.toString());
        assertThat(node.queueRows(backup.resolve(OldNode.QUEUE.substring(1))))
                .containsExactly(MID_A + " " + NONCE_A, MID_B + " " + NONCE_B, MID_C + " " + NONCE_C);
        for (String moved : List.of(OldNode.POST_PUBLISH + "/b3lb-push-hook.rb", "/etc/bigbluebutton/nginx/b3lb-load.nginx",
                "/etc/systemd/system/b3lb-push.service", "/etc/systemd/system/b3lb-push.path", "/etc/systemd/system/b3lb-push.timer",
                "/etc/systemd/system/b3lb-load.service")) {
            assertThat(node.at(moved)).doesNotExist();
            assertThat(backup.resolve(moved.substring(1))).isRegularFile();
        }
        assertThat(node.at(OldNode.OUR_HOOK)).hasContent(Files.readString(Path.of("src/main/bbb/b3lb-push-hook.rb")));
        assertThat(node.at(OldNode.OUR_SNIPPET)).hasContent(Files.readString(Path.of("nginx/b3lb-node-load.nginx")));
        assertThat(node.at("/etc/systemd/system/b3lb-cleaner.service")).isRegularFile();
        // our snippet answers with B3LB's figure while b3lb-node is down: the stopped b3lb-load's last one must go
        assertThat(node.at("/run/b3lb/load")).doesNotExist();
        assertThat(run.out()).contains("done: removed /run/b3lb/load, the last figure of the stopped b3lb-load");

        String config = Files.readString(node.at(MigrateCommand.CONFIG));
        assertThat(config).contains("\nb3lb.protocol=b3lb\n")
                .contains("#b3lb.upload.endpoint=https://bbb.example.com/b3lb/b/recording/upload\n"
                        + "b3lb.upload.endpoint=https://b3lb.example.org/b3lb/b/record/upload\n");
        // every other line, comments included, as it was
        assertThat(config.lines().filter(l -> !l.startsWith("b3lb.protocol=") && !l.startsWith("b3lb.upload.endpoint=")))
                .containsExactlyElementsOf(configBefore.lines().filter(l -> !l.startsWith("b3lb.protocol=")).toList());
        assertThat(Files.readString(node.at("/etc/b3lb-node/secret"))).isEmpty();

        Map<String, String> after = node.tree();
        Cli again = migrate();
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("queue /var/bigbluebutton/b3lb/push-queue.db: 0 row(s)").endsWith("migrate: nothing to do\n")
                .doesNotContain("will:");
        assertThat(node.tree()).isEqualTo(after);
    }

    @Test
    void aRecordingThatCannotBeConvertedKeepsItsRowAndIsNamed() throws Exception {
        String gone = "0123456789abcdef0123456789abcdef01234567-1700000000009";
        node.queue(List.<String[]>of(new String[] {gone, NONCE_A}));
        Cli run = migrate();
        assertThat(run.code()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("failed: " + gone + ": no published presentation at /var/bigbluebutton/published/presentation/"
                + gone + " (no metadata.xml").contains("done: removed 3 row(s)");
        assertThat(node.queueRows(node.at(OldNode.QUEUE))).containsExactly(gone + " " + NONCE_A);
        assertThat(new RecordingFiles(node.at(OldNode.ARCHIVED), gone).marker()).doesNotExist();

        // published later: the next run converts it and is done
        node.published(gone, NONCE_A);
        Cli next = migrate();
        assertThat(next.code()).as(next.toString()).isZero();
        assertThat(next.out()).contains("done: converted " + gone);
        assertThat(node.queueRows(node.at(OldNode.QUEUE))).isEmpty();
        assertThat(Files.readString(new RecordingFiles(node.at(OldNode.ARCHIVED), gone).marker())).isEqualTo(NONCE_A + "\n");
    }

    @Test
    void theQueuesNonceWinsOverAnotherOneInEventsXml() throws Exception {
        String other = "0123456789abcdef0123456789abcdef01234567-1700000000004";
        node.published(other, "stale-nonce-in-metadata");
        node.rawEvents(other, "stale-nonce-in-events");
        node.queue(List.<String[]>of(new String[] {other, NONCE_B}));
        Cli run = migrate();
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("done: converted " + other + " (packed by ").contains("the marker holds the queue's nonce");
        assertThat(Files.readString(new RecordingFiles(node.at(OldNode.ARCHIVED), other).marker())).isEqualTo(NONCE_B + "\n");
        assertThat(Files.readAllBytes(new RecordingFiles(node.at(OldNode.ARCHIVED), other).tar())).isEqualTo(node.expectedTar(other));
    }

    @Test
    void ourHookWhereDpkgPutItOverB3lbsIsNeverRetiredAndPacksTheQueue() throws Exception {
        // the package of 1.0.0 installed its hook under B3LB's hook's name, replacing it
        Path ours = node.at(OldNode.POST_PUBLISH + "/b3lb-push-hook.rb");
        Files.move(node.at(OldNode.OUR_HOOK), ours, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Cli run = migrate();
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).doesNotContain("found: B3LB's hook")
                .contains("done: converted " + MID_A + " (packed by " + OldNode.POST_PUBLISH + "/b3lb-push-hook.rb)");
        assertThat(ours).hasContent(Files.readString(Path.of("src/main/bbb/b3lb-push-hook.rb")));
    }
}
