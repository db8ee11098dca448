package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.b3lb.node.migrate.Cli;
import org.b3lb.node.migrate.MigrateCommand;
import org.b3lb.node.migrate.OldNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * B3LB's queue taken over by {@code migrate}, then {@code push --once}: every queued recording
 * arrives byte-exact at a receiver that checks what B3LB 3.3 checks, under the nonce of its row.
 * {@code -Dmigrate.recordings=100} measures a queue of 100 (the time is printed, not asserted).
 */
class MigratedQueueUploadTest {

    @TempDir
    Path root;

    @Test
    void everyQueuedRecordingArrivesByteExact() throws Exception {
        int n = Integer.getInteger("migrate.recordings", 8);
        try (B3lbReceiver b3lb = new B3lbReceiver()) {
            OldNode node = new OldNode(root);
            node.b3lbScripts(b3lb.base() + "/");
            List<String[]> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String mid = String.format("%040x-17000000%05d", i, i);
                String nonce = B3lbRecordings.nonce();
                node.published(mid, i % 2 == 0 ? nonce : null);
                if (i % 4 == 0) {
                    node.rawEvents(mid, nonce);
                }
                rows.add(new String[] {mid, nonce});
                b3lb.knows(nonce);
            }
            node.queue(rows);

            long d0 = System.nanoTime();
            Cli dry = Cli.run("migrate", "--root", root.toString(), "--dry-run");
            assertThat(dry.code()).as(dry.toString()).isZero();
            System.out.printf("migrate --dry-run of a B3LB queue of %d recordings: %d ms%n", n, (System.nanoTime() - d0) / 1_000_000);
            long t0 = System.nanoTime();
            Cli migrate = Cli.run("migrate", "--root", root.toString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(migrate.code()).as(migrate.toString()).isZero();
            System.out.printf("migrate of a B3LB queue of %d recordings: %d ms%n", n, ms);

            Path config = node.at(MigrateCommand.CONFIG);
            Cli push = Cli.run("push", "--once", "--config", config.toString(),
                    "--b3lb.recording-dir=" + node.at(OldNode.ARCHIVED));
            assertThat(push.code()).as(push.toString()).isZero();
            assertThat(push.out()).contains("uploaded " + n + ", failed 0");

            assertThat(b3lb.stored()).hasSize(n);
            for (String[] r : rows) {
                List<B3lbReceiver.Upload> got = b3lb.uploads(r[1]);
                assertThat(got).as(r[0]).hasSize(1);
                B3lbReceiver.Upload u = got.get(0);
                assertThat(u.status()).isEqualTo(204);
                assertThat(u.fileSha256()).isEqualTo(sha256(node.expectedTar(r[0])));
                assertThat(u.meta()).isEqualTo(Files.readAllBytes(node.at(OldNode.PUBLISHED).resolve(r[0]).resolve("metadata.xml")));
            }
            assertThat(node.queueRows(node.at(OldNode.QUEUE))).isEmpty();
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
