package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** systemd/b3lb-node.service as systemd reads it, and the hardening the issue asks for. */
class SystemdUnitTest {

    static final Path UNIT = Path.of("systemd", "b3lb-node.service").toAbsolutePath();
    static final Path LAUNCHER = Path.of("src", "deb", "bin", "b3lb-node").toAbsolutePath();
    static final String PACKAGED_LAUNCHER = "/usr/bin/b3lb-node";
    static final Path JVM_OPTIONS = Path.of("config", "jvm.options").toAbsolutePath();
    static final String PACKAGED_JVM_OPTIONS = "/etc/b3lb-node/jvm.options";
    static final Path POSTINST = Path.of("src", "deb", "control", "postinst");

    @TempDir
    static Path dir;

    static Map<String, List<String>> service;

    @BeforeAll
    static void parse() throws Exception {
        service = section(Files.readAllLines(UNIT), "Service");
    }

    /**
     * The unit with only its launcher path moved to the repository's copy: verify checks that
     * ExecStart is executable, and /usr/bin/b3lb-node exists only once the package is installed.
     */
    static Path installedCopy() throws Exception {
        String unit = Files.readString(UNIT);
        assertThat(unit).containsOnlyOnce("ExecStart=" + PACKAGED_LAUNCHER + " ");
        return Files.writeString(dir.resolve("b3lb-node.service"),
                unit.replace("ExecStart=" + PACKAGED_LAUNCHER + " ", "ExecStart=" + LAUNCHER + " "));
    }

    @Test
    void systemdAnalyzeVerifyIsClean() throws Exception {
        Path analyze = Tools.require("systemd-analyze");
        Tools.Result r = Tools.run(dir, analyze.toString(), "verify", installedCopy().toString());
        assertThat(r.output()).doesNotContain("b3lb-node.service");
        assertThat(r.exit()).as(r.output()).isZero();
    }

    @Test
    void exposureStaysLow() throws Exception {
        Path analyze = Tools.require("systemd-analyze");
        Tools.Result r = Tools.run(dir, analyze.toString(), "security", "--offline=true", installedCopy().toString());
        Matcher m = Pattern.compile("Overall exposure level for b3lb-node.service: (\\d+\\.\\d)").matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        // 1.6 when written (docs/benchmarks.md); "OK" in systemd's words is below 2.0
        assertThat(Double.parseDouble(m.group(1))).isLessThan(2.0);
    }

    @Test
    void runsAsTheBbbUserAndRestartsOnFailureButNotOnBadConfig() {
        assertThat(service.get("User")).containsExactly("bigbluebutton");
        assertThat(service.get("Group")).containsExactly("bigbluebutton");
        assertThat(service.get("Type")).containsAnyOf("simple", "exec");
        assertThat(service.get("Restart")).containsExactly("on-failure");
        assertThat(service.get("RestartSec")).hasSize(1);
        assertThat(service.get("RestartPreventExitStatus")).containsExactly("2");
        assertThat(service.get("SuccessExitStatus")).containsExactly("143");
        assertThat(service.get("ExecStart")).singleElement().asString()
                .startsWith(PACKAGED_LAUNCHER + " run ").contains("--config /etc/b3lb-node/application.properties");
        // no B3LB_* variables: they would beat /etc/b3lb-node/application.properties, and admin
        // runs of the launcher would not see them
        assertThat(service.get("Environment")).noneMatch(e -> e.contains("B3LB_"));
        // systemd gives a service no locale: the JVM would then fail on a file name such as ünï.ready
        assertThat(service.get("Environment")).contains("LANG=C.UTF-8");
    }

    @Test
    void hardenedAsTheIssueLists() {
        assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
        assertThat(service.get("ProtectSystem")).containsExactly("strict");
        // the only writable place: the recording status directory ("-": may be missing at start)
        assertThat(service.get("ReadWritePaths")).containsExactly("-/var/bigbluebutton/recording/status/archived");
        assertThat(service.get("ProtectHome")).containsExactly("yes");
        assertThat(service.get("PrivateTmp")).containsExactly("yes");
        assertThat(service.get("PrivateDevices")).containsExactly("yes");
        assertThat(service.get("RestrictAddressFamilies")).containsExactly("AF_INET AF_INET6 AF_UNIX");
        // in this order: what @privileged takes away, @chown gives back (HotSpot's attach listener
        // chowns its socket); the filter systemd makes of it is checked by .ci/deploy-test.sh
        assertThat(service.get("SystemCallFilter")).containsExactly("@system-service", "~@privileged", "@chown");
        // the JVM's working directory is where `b3lb-node routes` leaves the attach request
        assertThat(service.get("RuntimeDirectory")).containsExactly("b3lb-node");
        assertThat(service.get("WorkingDirectory")).containsExactly("/run/b3lb-node");
        assertThat(service.get("CapabilityBoundingSet")).containsExactly("");
        // the JIT needs writable+executable memory: this line would stop the JVM from starting
        assertThat(service).doesNotContainKey("MemoryDenyWriteExecute");
    }

    @Test
    void theServiceTakesItsJvmOptionsFromTheOneFileTheLauncherAndPostinstRead() throws Exception {
        // no JAVA_OPTS here: it would replace the file's options in the launcher that ExecStart runs
        assertThat(service.get("Environment")).noneMatch(e -> e.contains("JAVA_OPTS"));
        assertThat(Files.readString(LAUNCHER)).contains("    JAVA_OPTS=@" + PACKAGED_JVM_OPTIONS + "\n");
        assertThat(Files.readString(POSTINST)).contains("CDS_JVM_OPTIONS=" + PACKAGED_JVM_OPTIONS + "\n")
                .contains("\"$java\" @\"$CDS_JVM_OPTIONS\" -XX:ArchiveClassesAtExit=")
                .contains("\"$java\" @\"$CDS_JVM_OPTIONS\" -Xshare:on");
        assertThat(Files.readString(Path.of("bench", "common.sh"))).contains("JAVA_OPTS=${JAVA_OPTS:-@$ROOT/config/jvm.options}");
    }

    @Test
    void readsTheClassDataArchiveOptionFromWherePostinstWritesItAndKeepsTheFullJit() throws Exception {
        String postinst = Files.readString(POSTINST);
        Matcher dir = Pattern.compile("(?m)^CDS_DIR=(\\S+)$").matcher(postinst);
        assertThat(dir.find()).isTrue();
        // "-": a node without the archive (training failed, or not made yet) starts as before
        assertThat(service.get("EnvironmentFile")).containsExactly("-" + dir.group(1) + "/cds.env");
        assertThat(postinst).contains("echo \"JDK_JAVA_OPTIONS=-XX:SharedArchiveFile=$CDS_DIR/b3lb-node.jsa\" > \"$CDS_DIR/cds.env\"");
        List<String> options = Files.readAllLines(JVM_OPTIONS).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        // C1 alone serves the load endpoint at ~0.6x (docs/benchmarks.md)
        assertThat(options).noneMatch(o -> o.contains("TieredStopAtLevel")).contains("-Xmx96m", "-XX:+UseSerialGC", "-XX:-UsePerfData");
    }

    /** key -> values of one [section], in order; comments and blank lines dropped. */
    static Map<String, List<String>> section(List<String> lines, String name) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        boolean in = false;
        for (String raw : lines) {
            String l = raw.trim();
            if (l.startsWith("[")) {
                in = l.equals("[" + name + "]");
            } else if (in && !l.isEmpty() && !l.startsWith("#") && l.contains("=")) {
                int i = l.indexOf('=');
                out.computeIfAbsent(l.substring(0, i), k -> new ArrayList<>()).add(l.substring(i + 1));
            }
        }
        return out;
    }
}
