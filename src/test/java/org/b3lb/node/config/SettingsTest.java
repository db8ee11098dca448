package org.b3lb.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsComeFromTheInstalledConfigFile() {
        Settings s = Settings.load(null, Map.of(), Map.of());
        assertThat(s.string("b3lb.recording-dir")).isEqualTo("/var/bigbluebutton/recording/status/archived");
        assertThat(s.port("b3lb.load.port")).isEqualTo(8765);
        assertThat(s.string("b3lb.load.host")).isEqualTo("127.0.0.1");
        assertThat(s.bool("b3lb.load.enabled")).isTrue();
        assertThat(s.port("b3lb.management.port")).isEqualTo(9876);
        assertThat(s.source("b3lb.load.port")).isEqualTo("built-in default");
    }

    @Test
    void fileThenEnvironmentThenArgumentsWin() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "b3lb.load.port=1111\nb3lb.management.port=2222\nb3lb.load.host=10.0.0.1\n");
        Settings s = Settings.load(file, Map.of("B3LB_LOAD_PORT", "3333", "B3LB_LOAD_HOST", "10.0.0.2"),
                Map.of("b3lb.load.host", "10.0.0.3"));
        assertThat(s.port("b3lb.management.port")).isEqualTo(2222);
        assertThat(s.source("b3lb.management.port")).isEqualTo(file.toString());
        assertThat(s.port("b3lb.load.port")).isEqualTo(3333);
        assertThat(s.source("b3lb.load.port")).isEqualTo("environment variable B3LB_LOAD_PORT");
        assertThat(s.string("b3lb.load.host")).isEqualTo("10.0.0.3");
        assertThat(s.source("b3lb.load.host")).isEqualTo("argument --b3lb.load.host");
    }

    @Test
    void environmentNamesFollowCamelsConvention() {
        assertThat(Settings.environmentName("b3lb.recording-dir")).isEqualTo("B3LB_RECORDING_DIR");
        assertThat(Settings.environmentName("b3lb.load.port")).isEqualTo("B3LB_LOAD_PORT");
        Settings s = Settings.load(null, Map.of("B3LB_RECORDING_DIR", "/srv/rec"), Map.of());
        assertThat(s.path("b3lb.recording-dir")).isEqualTo(Path.of("/srv/rec"));
    }

    @Test
    void badPortNamesKeyValueSourceAndRange() {
        Settings s = Settings.load(null, Map.of("B3LB_LOAD_PORT", "80a"), Map.of());
        assertThatThrownBy(() -> s.port("b3lb.load.port"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid b3lb.load.port='80a' (from environment variable B3LB_LOAD_PORT): must be a TCP port number 1-65535");
        Settings zero = Settings.load(null, Map.of(), Map.of("b3lb.load.port", "0"));
        assertThatThrownBy(() -> zero.port("b3lb.load.port")).hasMessageContaining("'0'");
        Settings high = Settings.load(null, Map.of(), Map.of("b3lb.load.port", "65536"));
        assertThatThrownBy(() -> high.port("b3lb.load.port")).hasMessageContaining("1-65535");
    }

    @Test
    void booleansAreTrueOrFalseOnly() {
        assertThat(Settings.load(null, Map.of(), Map.of("b3lb.load.enabled", " FALSE ")).bool("b3lb.load.enabled")).isFalse();
        Settings s = Settings.load(null, Map.of(), Map.of("b3lb.load.enabled", "yes"));
        assertThatThrownBy(() -> s.bool("b3lb.load.enabled"))
                .hasMessage("invalid b3lb.load.enabled='yes' (from argument --b3lb.load.enabled): must be true or false");
    }

    @Test
    void durationsTakeAUnitAndBareNumbersAreSeconds() {
        Settings s = Settings.load(null, Map.of(), Map.of("a.ms", "500ms", "a.s", "5s", "a.m", "10m", "a.h", "2h",
                "a.d", "7d", "a.bare", "30", "a.bad", "5 minutes"));
        assertThat(s.duration("a.ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(s.duration("a.s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.duration("a.m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.duration("a.h")).isEqualTo(Duration.ofHours(2));
        assertThat(s.duration("a.d")).isEqualTo(Duration.ofDays(7));
        assertThat(s.duration("a.bare")).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> s.duration("a.bad")).hasMessageContaining("'5 minutes'").hasMessageContaining("10m");
    }

    @Test
    void secretsAreNeverShownInErrors() {
        Settings s = Settings.load(null, Map.of(), Map.of("b3lb.upload.secret", "hunter2"));
        assertThat(s.invalid("b3lb.upload.secret", "must not be empty").getMessage())
                .doesNotContain("hunter2").contains("(hidden)");
    }

    @Test
    void misspelledKeysAreReportedWithTheirSource() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "b3lb.uplaod.secret=x\nb3lb.load.port=1234\ncamel.main.name=other\n");
        Settings s = Settings.load(file, Map.of(), Map.of("b3lb.load.prot", "9"));
        assertThat(s.unknownKeys()).containsExactly("b3lb.load.prot (from argument --b3lb.load.prot)",
                "b3lb.uplaod.secret (from " + file + ")");
        assertThat(Settings.load(null, Map.of(), Map.of()).unknownKeys()).isEmpty();
    }

    @Test
    void unknownB3lbEnvironmentVariablesAreReportedButNotTheLaunchersOwn() {
        Settings s = Settings.load(null, Map.of("B3LB_ENDPOINT", "http://x/", "B3LB_LOAD_PORT", "1234", "B3LB_NODE_AS_ROOT", "1",
                "CAMEL_MAIN_NAME", "x", "HOME", "/root"), Map.of());
        assertThat(s.unknownKeys()).containsExactly("environment variable B3LB_ENDPOINT");
        assertThat(s.port("b3lb.load.port")).isEqualTo(1234);
    }

    @Test
    void aRelativePathInTheConfigFileIsTakenFromItsDirectoryOneFromAnArgumentFromTheWorkingDirectory() throws Exception {
        Path file = Files.writeString(Files.createDirectories(dir.resolve("etc")).resolve("application.properties"),
                "b3lb.recording-dir=../recordings\nb3lb.routes-dir=routes\nb3lb.upload.secret-file=/abs/secret\n");
        Settings s = Settings.load(file, Map.of(), Map.of("b3lb.upload.secret-file", "secret"));
        assertThat(s.path("b3lb.recording-dir")).isEqualTo(dir.resolve("recordings").toAbsolutePath());
        assertThat(s.path("b3lb.routes-dir")).isEqualTo(dir.resolve("etc/routes").toAbsolutePath());
        assertThat(s.path("b3lb.upload.secret-file")).isEqualTo(Path.of("secret").toAbsolutePath());
        Settings env = Settings.load(file, Map.of("B3LB_RECORDING_DIR", "rec"), Map.of());
        assertThat(env.path("b3lb.recording-dir")).isEqualTo(Path.of("rec").toAbsolutePath());
    }

    @Test
    void unreadableFileIsOneLine() {
        assertThatThrownBy(() -> Settings.load(dir.resolve("missing.properties"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot read config file " + dir.resolve("missing.properties") + ": no such file")
                .hasMessageNotContaining("\n");
    }

    @Test
    void specIsTheDefaultProtocolAndKeepsTheSpecsDefaults() {
        Settings s = Settings.load(null, Map.of(), Map.of());
        assertThat(s.protocol()).isEqualTo(Protocol.SPEC);
        assertThat(s.string("b3lb.load.format")).isEqualTo("percent");
        assertThat(s.string("b3lb.load.source")).isEqualTo("loadavg");
        assertThat(s.string("b3lb.upload.endpoint")).isEqualTo("https://bbb.example.com/b3lb/b/recording/upload");
        assertThat(s.string("b3lb.upload.field")).isEqualTo("recording");
        assertThat(s.source("b3lb.load.format")).isEqualTo("built-in default");
        assertThat(s.unknownKeys()).isEmpty();
    }

    @Test
    void b3lbProtocolInTheFileSwitchesTheDefaultsNobodySet() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "b3lb.protocol=b3lb\n");
        Settings s = Settings.load(file, Map.of(), Map.of());
        assertThat(s.protocol()).isEqualTo(Protocol.B3LB);
        assertThat(s.string("b3lb.load.format")).isEqualTo("integer");
        assertThat(s.string("b3lb.load.source")).isEqualTo("cpu");
        assertThat(s.string("b3lb.upload.endpoint")).isEqualTo("https://b3lb.example.com/b3lb/b/record/upload");
        assertThat(s.string("b3lb.upload.field")).isEqualTo("file");
        assertThat(s.source("b3lb.load.format")).isEqualTo("b3lb.protocol=b3lb profile");
        // keys outside the profile keep their built-in defaults
        assertThat(s.port("b3lb.load.port")).isEqualTo(8765);
        assertThat(s.source("b3lb.load.port")).isEqualTo("built-in default");
        assertThat(s.unknownKeys()).isEmpty();
    }

    @Test
    void eachKeySetExplicitlyWinsOverTheProfile() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "b3lb.protocol=b3lb\nb3lb.load.format=percent\n");
        Settings s = Settings.load(file, Map.of("B3LB_LOAD_SOURCE", "loadavg"),
                Map.of("b3lb.upload.endpoint", "https://lb.example.org/b3lb/b/record/upload"));
        assertThat(s.string("b3lb.load.format")).isEqualTo("percent");
        assertThat(s.source("b3lb.load.format")).isEqualTo(file.toString());
        assertThat(s.string("b3lb.load.source")).isEqualTo("loadavg");
        assertThat(s.source("b3lb.load.source")).isEqualTo("environment variable B3LB_LOAD_SOURCE");
        assertThat(s.string("b3lb.upload.endpoint")).isEqualTo("https://lb.example.org/b3lb/b/record/upload");
        assertThat(s.string("b3lb.upload.field")).isEqualTo("file");
        assertThat(s.source("b3lb.upload.field")).isEqualTo("b3lb.protocol=b3lb profile");
    }

    @Test
    void protocolFollowsTheUsualOrderFileThenEnvironmentThenArgument() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "b3lb.protocol=b3lb\n");
        Settings env = Settings.load(file, Map.of("B3LB_PROTOCOL", "spec"), Map.of());
        assertThat(env.protocol()).isEqualTo(Protocol.SPEC);
        assertThat(env.string("b3lb.load.format")).isEqualTo("percent");
        Settings arg = Settings.load(file, Map.of("B3LB_PROTOCOL", "spec"), Map.of("b3lb.protocol", "b3lb"));
        assertThat(arg.protocol()).isEqualTo(Protocol.B3LB);
        assertThat(arg.string("b3lb.load.format")).isEqualTo("integer");
        assertThat(arg.source("b3lb.protocol")).isEqualTo("argument --b3lb.protocol");
    }

    @Test
    void theInstalledConfigFileLeavesTheProfileKeysToTheProtocol() throws Exception {
        // the shipped file with only the protocol line changed, as an admin of a stock B3LB does it
        Path file = dir.resolve("application.properties");
        Files.writeString(file, Files.readString(Path.of("config/application.properties"))
                .replace("\nb3lb.protocol=spec\n", "\nb3lb.protocol=b3lb\n"));
        Settings s = Settings.load(file, Map.of(), Map.of());
        assertThat(s.protocol()).isEqualTo(Protocol.B3LB);
        for (String key : Protocol.B3LB.profile().stringPropertyNames()) {
            assertThat(s.source(key)).as(key).isEqualTo("b3lb.protocol=b3lb profile");
        }
        assertThat(Protocol.B3LB.profile().stringPropertyNames())
                .containsExactlyInAnyOrderElementsOf(Protocol.SPEC.profile().stringPropertyNames());
    }

    @Test
    void badProtocolIsOneLineNamingValueSourceAndChoices() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "b3lb.protocol=B3LB-3\n");
        assertThatThrownBy(() -> Settings.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid b3lb.protocol='B3LB-3' (from " + file + "): must be spec (the written spec's protocol) "
                        + "or b3lb (a stock B3LB 3.x)");
        assertThatThrownBy(() -> Settings.load(null, Map.of("B3LB_PROTOCOL", ""), Map.of()))
                .hasMessageStartingWith("invalid b3lb.protocol='' (from environment variable B3LB_PROTOCOL)");
    }

    @Test
    void hugeDurationsAreOneLineNotAnOverflow() {
        Settings s = Settings.load(null, Map.of("B3LB_UPLOAD_POLL_DELAY", "99999999999999999999"),
                Map.of("a.days", "9999999999999d", "a.cap", "36500d", "a.over", "36501d", "a.ms", "3153600000001ms"));
        assertThatThrownBy(() -> s.duration("b3lb.upload.poll-delay")).isInstanceOf(ConfigException.class)
                .hasMessage("invalid b3lb.upload.poll-delay='99999999999999999999' (from environment variable "
                        + "B3LB_UPLOAD_POLL_DELAY): must be at most 36500d (100 years), e.g. 5s, 10m or 7d");
        assertThatThrownBy(() -> s.duration("a.days")).isInstanceOf(ConfigException.class).hasMessageContaining("at most 36500d");
        assertThatThrownBy(() -> s.duration("a.over")).isInstanceOf(ConfigException.class).hasMessageContaining("at most 36500d");
        assertThatThrownBy(() -> s.duration("a.ms")).isInstanceOf(ConfigException.class).hasMessageContaining("at most 36500d");
        assertThat(s.duration("a.cap")).isEqualTo(Duration.ofDays(36_500));
    }

    @Test
    void onlyAsciiDigitsAreNumbers() {
        // Integer.parseInt reads Arabic-Indic and other Unicode digits as a number
        Settings s = Settings.load(null, Map.of(), Map.of("b3lb.load.port", "\u0668\u0660\u0668\u0660",
                "a.wide", "\uff18\uff10", "a.dur", "\u0665s", "a.huge", "99999999999999999999", "a.plus", "+80"));
        assertThatThrownBy(() -> s.port("b3lb.load.port")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be a TCP port number 1-65535");
        assertThatThrownBy(() -> s.port("a.wide")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> s.duration("a.dur")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> s.port("a.huge")).isInstanceOf(ConfigException.class);
        assertThat(s.port("a.plus")).isEqualTo(80);
    }

    @Test
    void specValuesLeftInTheFileUnderB3lbAreNamed() throws Exception {
        // a config file from before b3lb.protocol: every key an active line
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "b3lb.protocol=b3lb\nb3lb.load.format=percent\nb3lb.upload.field=recording\n"
                + "b3lb.upload.endpoint=https://lb.example.org/b3lb/b/record/upload\n");
        Settings s = Settings.load(file, Map.of(), Map.of());
        assertThat(s.specLeftovers()).containsExactly(
                "b3lb.load.format=percent (from " + file + ") keeps the spec's default under b3lb.protocol=b3lb; "
                        + "remove it to get integer, unless you mean it",
                "b3lb.upload.field=recording (from " + file + ") keeps the spec's default under b3lb.protocol=b3lb; "
                        + "remove it to get file, unless you mean it");
        assertThat(Settings.load(null, Map.of(), Map.of("b3lb.load.format", "percent")).specLeftovers()).isEmpty();
        assertThat(Settings.load(null, Map.of("B3LB_PROTOCOL", "b3lb"), Map.of()).specLeftovers()).isEmpty();
    }
}
