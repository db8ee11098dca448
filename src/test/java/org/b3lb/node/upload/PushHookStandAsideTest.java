package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.b3lb.node.upload.HookFixture.Run;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Until {@code b3lb-node migrate} retires them, B3LB's or the spec's hook (installed as
 * b3lb-push-hook.rb beside ours) and its uploader handle every recording: ours, run by BBB from
 * the same directory, writes nothing, so no recording is uploaded twice.
 */
class PushHookStandAsideTest {

    static final String ID = "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1700000000000";

    @TempDir
    Path tmp;
    HookFixture f;
    Path scripts;

    @BeforeEach
    void node() throws Exception {
        f = new HookFixture(tmp);
        scripts = tmp.resolve("scripts");
        Files.createDirectories(scripts.resolve("post_archive"));
        Files.createDirectories(scripts.resolve("post_publish"));
        f.rawRecording(ID, "b3lb-recordset=\"n0nce\"", 1000);
        f.publishedRecording(ID, "n0nce", 1000);
    }

    @Test
    void specHookInPostArchiveMakesOursStandAsideUnderSpec() throws Exception {
        Path spec = Files.writeString(scripts.resolve("post_archive/b3lb-push-hook.rb"),
                "#!/usr/bin/ruby\n# B3LB Post-Archive Hook\nrequire 'fileutils'\nmeeting_id = ARGV[0]\n");
        Run r = f.hook(Map.of(), "-m", ID);
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(f.recordingDir()).isEmpty();
        assertThat(r.output().lines().filter(l -> !l.isBlank())).hasSize(1);
        assertThat(r.output()).contains(ID + ": left to " + spec)
                .contains("sudo b3lb-node migrate --dry-run, then sudo b3lb-node migrate");
    }

    @Test
    void b3lbHookInPostPublishMakesOursStandAsideUnderB3lb() throws Exception {
        Path b3lb = Files.writeString(scripts.resolve("post_publish/b3lb-push-hook.rb"),
                "#!/usr/bin/ruby\nrequire \"sqlite3\"\n# INSERT INTO backlog (mid, nonce)\n");
        Run r = f.hook(Map.of("B3LB_PROTOCOL", "b3lb"), "-m", ID, "-f", "presentation");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(f.recordingDir()).isEmpty();
        assertThat(r.output()).contains("left to " + b3lb).contains("b3lb-node migrate");
    }

    @Test
    void ourOwnHookUnderTheOldNameIsNoReasonToStandAside() throws Exception {
        // b3lb-node 1.0.0 installed its hook as b3lb-push-hook.rb
        Files.copy(HookFixture.HOOK, scripts.resolve("post_archive/b3lb-push-hook.rb"));
        Run r = f.hook(Map.of(), "-m", ID);
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(f.recordingDir()).containsExactly(ID + ".ready", ID + ".tar");
        assertThat(r.output()).doesNotContain("left to");
    }

    @Test
    void onceMigrateMovedTheOtherHookAwayOursActsAgain() throws Exception {
        Path spec = Files.writeString(scripts.resolve("post_archive/b3lb-push-hook.rb"), "# B3LB Post-Archive Hook\n");
        assertThat(f.hook(Map.of(), "-m", ID).output()).contains("left to");
        Files.delete(spec);
        Run r = f.hook(Map.of(), "-m", ID);
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(f.recordingDir()).containsExactly(ID + ".ready", ID + ".tar");
    }
}
