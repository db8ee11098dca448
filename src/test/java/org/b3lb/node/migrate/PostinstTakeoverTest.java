package org.b3lb.node.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package's real postinst, run by sh under DPKG_ROOT over a node laid out as B3LB's READMEs or
 * the spec install their scripts: while they are in service it neither enables b3lb-node nor
 * starts it, and names the takeover command; after migrate it enables it as on any node.
 * deb-systemd-helper is a stand-in on PATH that records what it was asked.
 */
class PostinstTakeoverTest {

    static final Path POSTINST = Path.of("src/deb/control/postinst").toAbsolutePath();
    static final String COMMAND = "to take over: sudo b3lb-node migrate --dry-run, then sudo b3lb-node migrate";

    @TempDir
    Path root;
    @TempDir
    Path bin;

    record Run(int code, String out, String helper) {
    }

    private Run postinst() throws Exception {
        Path log = bin.resolve("helper.log");
        Files.deleteIfExists(log);
        Path helper = Files.writeString(bin.resolve("deb-systemd-helper"), "#!/bin/sh\necho \"$@\" >> " + log + "\nexit 0\n");
        assertThat(helper.toFile().setExecutable(true)).isTrue();
        ProcessBuilder pb = new ProcessBuilder("sh", POSTINST.toString(), "configure", "").redirectErrorStream(true);
        pb.environment().put("DPKG_ROOT", root.toString());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, Files.exists(log) ? Files.readString(log) : "");
    }

    @Test
    void b3lbsScriptsInServiceKeepTheServiceDisabledUntilMigrate() throws Exception {
        OldNode node = new OldNode(root);
        node.b3lbScripts("https://b3lb.example.org/");
        Run r = postinst();
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("b3lb-node: found B3LB's node scripts in service (")
                .contains(OldNode.POST_PUBLISH + "/b3lb-push-hook.rb").contains("/etc/systemd/system/b3lb-push.path")
                .contains(COMMAND);
        assertThat(r.helper()).contains("update-state b3lb-node.service").doesNotContain("enable");

        Cli migrate = Cli.run("migrate", "--root", root.toString());
        assertThat(migrate.code()).as(migrate.toString()).isZero();
        Run after = postinst();
        assertThat(after.out()).doesNotContain("found").doesNotContain("migrate");
        assertThat(after.helper()).contains("enable b3lb-node.service");
    }

    @Test
    void specsScriptsAreNamedAsSuch() throws Exception {
        OldNode node = new OldNode(root);
        node.specScripts("https://b3lb.example.org/b3lb/b/recording/upload", "s3cret", 7);
        Run r = postinst();
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("b3lb-node: found the spec's scripts in service (").contains(COMMAND)
                .doesNotContain("s3cret");
        assertThat(r.helper()).doesNotContain("enable");
    }

    @Test
    void aNodeWithOnlyB3lbNodeIsEnabledAsBefore() throws Exception {
        new OldNode(root);
        Run r = postinst();
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).doesNotContain("found");
        assertThat(r.helper()).contains("enable b3lb-node.service");
    }
}
