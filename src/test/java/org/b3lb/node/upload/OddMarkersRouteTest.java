package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.b3lb.node.layout.RecordingLayout;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 C3 and C2, through the running service: the upload route lists the recording
 * directory with {@link MarkerAudit#list}, so a FIFO named like a marker is never handed to a worker
 * (whose open of it would block until a writer came) and the recordings beside it are uploaded.
 */
class OddMarkersRouteTest {

    @TempDir
    Path tmp;

    @Test
    void aFifoMarkerIsSaidOnceAndNeverTakenWhileTheOthersAreUploaded() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("archived"));
        Recordings.tar(dir, "piped", 1000);
        Path fifo = dir.resolve("piped" + RecordingLayout.MARKER);
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        for (int i = 0; i < 50; i++) {
            Files.createFile(dir.resolve(String.format("%08d-", i) + "x".repeat(190) + RecordingLayout.EVIDENCE));
        }
        LogCapture logs = LogCapture.everything();
        try (Sink sink = new Sink();
                RunningNode node = RunningNode.builder(dir).with("b3lb.upload.endpoint", sink.endpoint()).start()) {
            Recordings.ready(dir, "fine", 1000);
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.accepted("fine") && !Files.exists(dir.resolve("fine.ready")));
            Recordings.ready(dir, "later", 1000); // a later poll, which lists the FIFO again
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.accepted("later") && !Files.exists(dir.resolve("later.ready")));

            assertThat(logs.lines("WARN", "\"piped.ready\"")).singleElement().asString().contains("not a regular file");
            assertThat(sink.requests("piped")).isZero();
            assertThat(fifo).exists();
            assertThat(node.context().getRoute(UploadRoute.ROUTE_ID).getEndpoint().getEndpointUri()).startsWith(MarkerComponent.SCHEME + ":");
        }
    }
}
