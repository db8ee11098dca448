package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code push} command line: --once is required, typos are refused, bad config is exit 2. */
class PushCommandTest extends StdStreamsTest {

    @Test
    void pushWithoutOnceIsRefused() {
        assertThat(App.run("push")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("push needs --once");
    }

    @Test
    void unknownOptionIsRefused() {
        assertThat(App.run("push", "--once", "--dry-run")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--dry-run'");
    }

    @Test
    void missingSecretIsOneLineAndExit2() throws Exception {
        Path cfg = Files.writeString(dir.resolve("application.properties"), "b3lb.recording-dir=" + dir + "\n");
        assertThat(App.run("push", "--once", "--config", cfg.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("b3lb-node: no node secret but upload is enabled: write the secret B3LB knows this node by into "
                + dir.resolve("secret") + " (readable only by the service's user), or point b3lb.upload.secret-file "
                + "(B3LB_UPLOAD_SECRET_FILE) at a file holding it, or set b3lb.upload.enabled=false");
    }

    @Test
    void nothingPendingIsSuccess() throws Exception {
        Path cfg = Files.writeString(dir.resolve("application.properties"),
                "b3lb.recording-dir=" + dir + "\nb3lb.upload.secret=x\nb3lb.upload.endpoint=http://127.0.0.1:9/\n");
        assertThat(App.run("push", "--once", "--config", cfg.toString())).isZero();
        // log lines share stdout with the summary (journald keeps both); the summary is the last line
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("\nuploaded 0, failed 0, missing tar 0\n");
    }
}
