package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.b3lb.node.migrate.Cli;
import org.b3lb.node.migrate.MigrateCommand;
import org.b3lb.node.migrate.OldNode;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spec's scripts taken over by {@code migrate}, then {@code push --once}: the spec's waiting
 * recordings go to the endpoint and with the secret that were in its b3lb-push; those it had
 * uploaded already are not sent again. {@code -Dmigrate.recordings=100} measures 100 of each (the
 * time is printed, not asserted).
 */
class MigratedSpecUploadTest {

    @TempDir
    Path root;

    @Test
    void theSpecsWaitingRecordingsGoWithItsEndpointAndSecretAndTheUploadedOnesStay() throws Exception {
        try (Sink sink = new Sink()) {
            OldNode node = new OldNode(root);
            node.specScripts(sink.endpoint(), "spec-secret-0815", 7);
            Path rec = node.at(OldNode.ARCHIVED);
            int n = Integer.getInteger("migrate.recordings", 1);
            byte[] waiting = "waiting recording".repeat(500).getBytes(StandardCharsets.US_ASCII);
            for (int i = 1; i <= n; i++) {
                Files.write(new RecordingFiles(rec, "waiting-" + i).tar(), waiting);
                Files.createFile(new RecordingFiles(rec, "waiting-" + i).marker());
                Files.write(new RecordingFiles(rec, "sent-" + i).tar(), "sent".getBytes(StandardCharsets.US_ASCII));
            }

            long t0 = System.nanoTime();
            Cli migrate = Cli.run("migrate", "--root", root.toString());
            System.out.printf("migrate of the spec's scripts with %d waiting and %d uploaded recordings: %d ms%n", n, n,
                    (System.nanoTime() - t0) / 1_000_000);
            assertThat(migrate.code()).as(migrate.toString()).isZero();
            Cli push = Cli.run("push", "--once", "--config", node.at(MigrateCommand.CONFIG).toString(),
                    "--b3lb.recording-dir=" + rec);
            assertThat(push.code()).as(push.toString()).isZero();
            assertThat(push.out()).contains("uploaded " + n + ", failed 0");

            assertThat(sink.received("waiting-1")).singleElement().satisfies(r -> {
                assertThat(r.secret()).isEqualTo("spec-secret-0815");
                assertThat(r.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(waiting)));
            });
            for (int i = 1; i <= n; i++) {
                assertThat(sink.requests("sent-" + i)).isZero();
                assertThat(sink.requests("waiting-" + i)).isEqualTo(1);
            }
            assertThat(new RecordingFiles(rec, "waiting-1").marker()).doesNotExist();
        }
    }
}
