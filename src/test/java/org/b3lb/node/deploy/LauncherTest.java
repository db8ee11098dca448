package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /usr/bin/b3lb-node, run against a stand-in java that prints what it was given. */
class LauncherTest {

    static final Path LAUNCHER = Path.of("src", "deb", "bin", "b3lb-node").toAbsolutePath();
    /** The packaged config/jvm.options, as java reads it. */
    static final String OPTIONS_ARG = "arg=@/etc/b3lb-node/jvm.options";

    @TempDir
    Path javaHome;

    @BeforeEach
    void fakeJava() throws Exception {
        Path bin = Files.createDirectories(javaHome.resolve("bin"));
        Path java = Files.writeString(bin.resolve("java"), """
                #!/bin/sh
                echo "secret-file=${B3LB_UPLOAD_SECRET_FILE:-unset}"
                echo "locale=${LC_ALL:-}|${LC_CTYPE:-}|${LANG:-}"
                for a in "$@"; do echo "arg=$a"; done
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void addsThePackagedConfigAndTheDefaultJvmOptions() throws Exception {
        List<String> out = launch(Map.of(), "push", "--once");
        // the secret is /etc/b3lb-node/secret because it lies next to the packaged config, not
        // through an environment variable that would override the admin's config file
        assertThat(out).contains("secret-file=unset");
        assertThat(out).containsSubsequence(OPTIONS_ARG, "arg=-jar", "arg=/usr/share/b3lb-node/b3lb-node.jar", "arg=push", "arg=--once",
                "arg=--config", "arg=/etc/b3lb-node/application.properties");
    }

    @Test
    void keepsAConfigTheCallerGives() throws Exception {
        assertThat(launch(Map.of(), "clean", "--dry-run", "--config=/tmp/x.properties"))
                .containsSubsequence("arg=clean", "arg=--dry-run", "arg=--config=/tmp/x.properties")
                .doesNotContain("arg=/etc/b3lb-node/application.properties");
        assertThat(launch(Map.of(), "--config", "/tmp/y.properties"))
                .doesNotContain("arg=/etc/b3lb-node/application.properties");
    }

    @Test
    void aDirectoryPassThatExitsStopsAtTheFirstJit() throws Exception {
        assertThat(launch(Map.of(), "clean", "--dry-run")).containsSubsequence(OPTIONS_ARG, "arg=-XX:TieredStopAtLevel=1", "arg=-jar");
        assertThat(launch(Map.of(), "adopt-uploaded")).containsSubsequence(OPTIONS_ARG, "arg=-XX:TieredStopAtLevel=1", "arg=-jar");
        // the service keeps C2: the load endpoint serves 1.7x the rate with it
        assertThat(launch(Map.of(), "run")).contains(OPTIONS_ARG).doesNotContain("arg=-XX:TieredStopAtLevel=1");
        assertThat(launch(Map.of(), "push", "--once")).doesNotContain("arg=-XX:TieredStopAtLevel=1");
        // an admin's JAVA_OPTS replace all of it
        assertThat(launch(Map.of("JAVA_OPTS", "-Xmx1g"), "clean")).contains("arg=-Xmx1g").doesNotContain("arg=-XX:TieredStopAtLevel=1");
    }

    @Test
    void javaOptsAndSecretFileFromTheEnvironmentWin() throws Exception {
        List<String> out = launch(Map.of("JAVA_OPTS", "-Xmx1g -Dx=y", "B3LB_UPLOAD_SECRET_FILE", "/srv/secret"));
        assertThat(out).contains("arg=-Xmx1g", "arg=-Dx=y", "secret-file=/srv/secret").doesNotContain(OPTIONS_ARG);
    }

    @Test
    void statusAndRoutesRunTheJarWithASmallHeapAndThePackagedConfig() throws Exception {
        // the same command set as java -jar: the jar finds the management port in the config
        assertThat(launch(Map.of(), "routes", "stop", "upload"))
                .containsSubsequence("arg=-Xmx32m", "arg=-jar", "arg=/usr/share/b3lb-node/b3lb-node.jar", "arg=routes", "arg=stop",
                        "arg=upload", "arg=--config", "arg=/etc/b3lb-node/application.properties")
                .doesNotContain(OPTIONS_ARG);
        assertThat(launch(Map.of(), "status", "--json"))
                .containsSubsequence("arg=-Xmx32m", "arg=-jar", "arg=/usr/share/b3lb-node/b3lb-node.jar", "arg=status", "arg=--json",
                        "arg=--config", "arg=/etc/b3lb-node/application.properties");
        assertThat(launch(Map.of(), "--version")).containsSubsequence("arg=-Xmx32m", "arg=-jar", "arg=--version");
        assertThat(launch(Map.of("JAVA_OPTS_CLIENT", "-Xmx40m"), "status")).contains("arg=-Xmx40m").doesNotContain("arg=-Xmx32m");
    }

    @Test
    void setsAUtf8LocaleWhereNoneIsSet() throws Exception {
        // a JVM on the C locale cannot map a marker named ünï.ready (issue 10, D2)
        assertThat(launch(Map.of("LANG", "", "LC_ALL", "", "LC_CTYPE", ""), "push", "--once")).contains("locale=C.UTF-8||");
        assertThat(launch(Map.of("LANG", "C", "LC_ALL", "", "LC_CTYPE", ""))).contains("locale=C.UTF-8||C");
        assertThat(launch(Map.of("LANG", "de_DE.UTF-8", "LC_ALL", "", "LC_CTYPE", ""))).contains("locale=||de_DE.UTF-8");
    }

    /** What the launcher passes as @/etc/b3lb-node/jvm.options, read by a real java: comments and all. */
    @Test
    void javaReadsTheOptionsFile() throws Exception {
        Tools.Result r = Tools.run(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + SystemdUnitTest.JVM_OPTIONS, "-XX:+PrintFlagsFinal", "-version");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).containsPattern("MaxHeapSize\\s+=\\s+100663296\\b").containsPattern("UseSerialGC\\s+=\\s+true")
                .containsPattern("UsePerfData\\s+=\\s+false").containsPattern("AsyncDeflationInterval\\s+=\\s+10000\\b");
    }

    @Test
    void passesTheShellSyntaxCheck() throws Exception {
        assertThat(Tools.run("sh", "-n", LAUNCHER.toString()).exit()).isZero();
    }

    private List<String> launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("sh", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("B3LB_UPLOAD_SECRET_FILE");
        pb.environment().put("JAVA_HOME", javaHome.toString());
        // CI runs as root; the re-exec as bigbluebutton is for real nodes, not for this check
        pb.environment().put("B3LB_NODE_AS_ROOT", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }
}
