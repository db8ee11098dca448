package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadConfigTest {

    @TempDir
    Path tmp;

    private static UploadConfig config(String... kv) {
        return UploadConfig.from(settings(Map.of(), kv));
    }

    private static Settings settings(Map<String, String> env, String... kv) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return Settings.load(null, env, o);
    }

    @Test
    void defaultsMatchTheDocumentedTable() {
        UploadConfig c = config("b3lb.upload.secret", "s");
        assertThat(c.enabled()).isTrue();
        assertThat(c.endpoint()).hasToString("https://bbb.example.com/b3lb/b/recording/upload");
        assertThat(c.field()).isEqualTo("recording");
        assertThat(c.pollDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxRedeliveries()).isEqualTo(5);
        assertThat(c.initialDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxDelay()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.concurrency()).isEqualTo(2);
        assertThat(c.recordingDir()).isEqualTo(Path.of("/var/bigbluebutton/recording/status/archived"));
    }

    @Test
    void enabledWithoutSecretStopsWithOneLineSayingWhereToPutIt() {
        assertThatThrownBy(() -> config())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("b3lb.upload.secret-file")
                .hasMessageContaining("b3lb.upload.enabled=false")
                .hasMessageNotContaining("\n");
    }

    @Test
    void disabledNeedsNoSecret() throws Exception {
        assertThat(config("b3lb.upload.enabled", "false").enabled()).isFalse();
        // the packaged node: an empty /etc/b3lb-node/secret must not stop a node that does not upload
        Path empty = Files.writeString(tmp.resolve("empty-secret"), "");
        assertThat(config("b3lb.upload.enabled", "false", "b3lb.upload.secret-file", empty.toString()).enabled()).isFalse();
    }

    @Test
    void theSecretFileNextToTheConfigFileIsTheDefault() throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc-b3lb-node"));
        Path cfg = Files.writeString(etc.resolve("application.properties"), "b3lb.load.port=8765\n");
        Path secret = etc.resolve("secret");

        Files.writeString(secret, "");
        assertThatThrownBy(() -> UploadConfig.from(Settings.load(cfg, Map.of(), Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the node secret file " + secret + ", the default secret file, next to the config file, is "
                        + "empty; write the secret B3LB knows this node by into it: printf '%s' 'THE-SECRET' > " + secret);

        Files.writeString(secret, "packaged-secret\n");
        assertThat(UploadConfig.from(Settings.load(cfg, Map.of(), Map.of())).secret()).isEqualTo("packaged-secret");
        // an inline secret in the config beats the default file; an explicit secret file beats both
        Files.writeString(cfg, "b3lb.upload.secret=inline\n");
        assertThat(UploadConfig.from(Settings.load(cfg, Map.of(), Map.of())).secret()).isEqualTo("inline");
        Path other = Files.writeString(tmp.resolve("other"), "from-other");
        assertThat(UploadConfig.from(Settings.load(cfg, Map.of("B3LB_UPLOAD_SECRET_FILE", other.toString()), Map.of()))
                .secret()).isEqualTo("from-other");

        Files.delete(secret);
        Files.writeString(cfg, "");
        assertThatThrownBy(() -> UploadConfig.from(Settings.load(cfg, Map.of(), Map.of())))
                .hasMessageStartingWith("no node secret but upload is enabled: write the secret B3LB knows this node by into "
                        + secret);
    }

    @Test
    void secretFileWinsAndLosesOneTrailingNewline() throws Exception {
        Path f = Files.writeString(tmp.resolve("secret"), "from-file \n");
        UploadConfig c = config("b3lb.upload.secret", "inline", "b3lb.upload.secret-file", f.toString());
        assertThat(c.secret()).isEqualTo("from-file ");
        Files.writeString(f, "crlf\r\n");
        assertThat(config("b3lb.upload.secret-file", f.toString()).secret()).isEqualTo("crlf");
    }

    @Test
    void secretFromTheEnvironment() {
        assertThat(UploadConfig.from(settings(Map.of("B3LB_UPLOAD_SECRET", "env-secret"))).secret()).isEqualTo("env-secret");
    }

    @Test
    void unreadableOrEmptySecretFileIsOneLineWithoutTheSecret() throws Exception {
        assertThatThrownBy(() -> config("b3lb.upload.secret-file", tmp.resolve("nope").toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no such file")
                .hasMessageContaining("b3lb.upload.secret-file");
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        assertThatThrownBy(() -> config("b3lb.upload.secret-file", empty.toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is empty");
        Path two = Files.writeString(tmp.resolve("two"), "top-secret\nline2\n");
        assertThatThrownBy(() -> config("b3lb.upload.secret-file", two.toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("one line").hasMessageNotContaining("top-secret");
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> config("b3lb.upload.secret", "s", "b3lb.upload.endpoint", "ftp://x/"))
                .hasMessageStartingWith("invalid b3lb.upload.endpoint='ftp://x/'");
        assertThatThrownBy(() -> config("b3lb.upload.secret", "s", "b3lb.upload.endpoint", "https://user:pw@x/"))
                .hasMessageContaining("without user info");
        assertThatThrownBy(() -> config("b3lb.upload.secret", "s", "b3lb.upload.field", "a b"))
                .hasMessageStartingWith("invalid b3lb.upload.field");
        assertThatThrownBy(() -> config("b3lb.upload.secret", "s", "b3lb.upload.poll-delay", "soon"))
                .hasMessageStartingWith("invalid b3lb.upload.poll-delay='soon'");
        assertThatThrownBy(() -> config("b3lb.upload.secret", "s", "b3lb.upload.idle-timeout", "0s"))
                .hasMessageContaining("longer than zero");
        assertThatThrownBy(() -> config("b3lb.upload.secret", "s", "b3lb.upload.concurrency", "0"))
                .hasMessageStartingWith("invalid b3lb.upload.concurrency='0'");
        assertThatThrownBy(() -> config("b3lb.upload.secret", "s", "b3lb.upload.max-redeliveries", "-1"))
                .hasMessageStartingWith("invalid b3lb.upload.max-redeliveries");
        assertThatThrownBy(() -> config("b3lb.upload.secret", "s", "b3lb.upload.max-delay", "500ms"))
                .hasMessageContaining("at least b3lb.upload.initial-delay");
    }

    @Test
    void toStringHidesTheSecret() {
        assertThat(config("b3lb.upload.secret", "hunter2-xyz").toString()).doesNotContain("hunter2-xyz").contains("(hidden)");
    }

    @Test
    void aSecretFileThatIsNoRegularFileOrTooBigIsRefusedWithoutReadingIt() throws Exception {
        assertThatThrownBy(() -> config("b3lb.upload.secret-file", "/dev/zero"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/dev/zero")
                .hasMessageContaining("is not a regular file")
                .hasMessageNotContaining("\n");
        Path big = tmp.resolve("big");
        Files.write(big, new byte[UploadConfig.MAX_SECRET_FILE_BYTES + 1]);
        assertThatThrownBy(() -> config("b3lb.upload.secret-file", big.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("larger than 4096 bytes");
        Path atCap = tmp.resolve("cap");
        Files.writeString(atCap, "a".repeat(UploadConfig.MAX_SECRET_FILE_BYTES - 1) + "\n");
        assertThat(config("b3lb.upload.secret-file", atCap.toString()).secret()).hasSize(UploadConfig.MAX_SECRET_FILE_BYTES - 1);
    }

    @Test
    void aSecretMustBeVisibleAscii() throws Exception {
        // Java's HTTP client would send 'é' as '?': B3LB would answer 401 forever
        assertThatThrownBy(() -> config("b3lb.upload.secret", "s\u00e9quoiaXY"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("printable ASCII")
                .hasMessageNotContaining("quoia");
        assertThatThrownBy(() -> config("b3lb.upload.secret", "\u0441ecret")).hasMessageContaining("printable ASCII");
        Path file = tmp.resolve("secret");
        Files.writeString(file, "s\u00e9cret\n", java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> config("b3lb.upload.secret-file", file.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("b3lb.upload.secret-file")
                .hasMessageContaining("printable ASCII");
        assertThat(config("b3lb.upload.secret", "Ab0-_.~!$%&'()*+,;=:@/? x").secret()).isEqualTo("Ab0-_.~!$%&'()*+,;=:@/? x");
    }

    @Test
    void anEndpointWithAnImpossiblePortOrNonAsciiPartsIsRefusedAtStartUp() {
        for (String bad : new String[] {"http://b3lb.example.com:99999/upload", "http://b3lb.example.com:0/upload",
                "https://b3lb.example.com/\u00fcpload", "https://b3lb.example.com/up load"}) {
            assertThatThrownBy(() -> config("b3lb.upload.secret", "s", "b3lb.upload.endpoint", bad))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("invalid b3lb.upload.endpoint=");
        }
        assertThat(config("b3lb.upload.secret", "s", "b3lb.upload.endpoint", "http://10.0.0.1:65535/u?x=1").endpoint().getPort())
                .isEqualTo(65535);
    }
}
