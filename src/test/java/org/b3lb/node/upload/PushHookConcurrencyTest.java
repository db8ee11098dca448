package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.b3lb.node.layout.RecordingLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hook runs for one id at once, as {@code bbb-record --rebuild} does while the first run still
 * packs (issue 20, L2): the runs must not share a file, and the marker must end up over the
 * second run's complete tar. The first run's tar is held after its first 10 KiB, as under I/O
 * pressure, until the second run is either done or waiting for the first: an order, not a timing.
 */
class PushHookConcurrencyTest {

    static final String ID = "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1700000000000";
    static final String NONCE = "n0nce-" + "x".repeat(58);

    @TempDir
    Path tmp;

    /** Lets tar write 10 KiB of its archive, then holds the rest until HOLD_TAR.release exists. */
    static final String HELD_TAR = """
            out="$2"; shift 2
            if [ -z "$HOLD_TAR" ]; then exec /bin/tar -cf "$out" "$@"; fi
            /bin/tar -cf - "$@" | {
              dd bs=10240 count=1 status=none
              : > "$HOLD_TAR.held"
              i=0
              while [ ! -e "$HOLD_TAR.release" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
              cat
            } > "$out"
            : > "$HOLD_TAR.done"
            """;

    @Test
    void aSecondRunWaitsForTheFirstAndItsCompleteTarIsTheOneMarked() throws Exception {
        HookFixture f = new HookFixture(tmp);
        Path bin = f.tarWrapper(HELD_TAR);
        // the first version, and the rebuild BBB published while the first was being packed
        Path first = publish(f, tmp.resolve("first"), "first version", 1);
        Path second = publish(f, tmp.resolve("second"), "second version", 2);
        Path hold = tmp.resolve("hold");

        Map<String, String> envA = env(f, bin, first);
        envA.put("HOLD_TAR", hold.toString());
        Process a = f.start(envA, "-m", ID, "-f", "presentation");
        Output outA = Output.of(a);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(hold.resolveSibling("hold.held")) || !a.isAlive());
        // half a tar exists now, hidden under the name the cleanup knows as the run's leftover
        assertThat(f.recordingDir()).as(outA.text()).containsExactlyInAnyOrder(
                RecordingLayout.tempName(ID, RecordingLayout.TAR, Long.toString(a.pid())), RecordingLayout.lockName(ID));

        Process b = f.start(env(f, bin, second), "-m", ID, "-f", "presentation");
        Output outB = Output.of(b);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !b.isAlive() || outB.text().contains("waiting for it to finish"));
        Files.writeString(hold.resolveSibling("hold.release"), "");

        assertThat(a.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(b.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(a.exitValue()).as(outA.text()).isZero();
        assertThat(b.exitValue()).as(outB.text()).isZero();

        Path tar = f.rec.resolve(ID + RecordingLayout.TAR);
        assertThat(f.recordingDir()).containsExactly(ID + RecordingLayout.META, ID + RecordingLayout.MARKER,
                ID + RecordingLayout.TAR);
        assertThat(HookFixture.tarList(tar)).containsExactlyInAnyOrder("./", "./metadata.xml", "./presentation/",
                "./presentation/slides/", "./presentation/slides/slide-1.svg", "./presentation/slides/slide-2.svg",
                "./video/", "./video/webcams.webm");
        Path out = Files.createDirectories(tmp.resolve("extracted"));
        Process x = new ProcessBuilder("tar", "-xf", tar.toString(), "-C", out.toString()).redirectErrorStream(true).start();
        assertThat(x.waitFor()).isZero();
        assertThat(out.resolve("video/webcams.webm")).hasSameBinaryContentAs(second.resolve(ID).resolve("video/webcams.webm"));
        assertThat(f.rec.resolve(ID + RecordingLayout.META)).hasSameBinaryContentAs(second.resolve(ID).resolve("metadata.xml"));
        assertThat(f.rec.resolve(ID + RecordingLayout.MARKER)).hasContent(NONCE + "\n");
    }

    @Test
    void aKilledRunLeavesOnlyItsHiddenTempWhichTheCleanupKnows() throws Exception {
        HookFixture f = new HookFixture(tmp);
        Path hold = tmp.resolve("hold");
        Process a = heldRun(f, hold);
        a.destroyForcibly();
        assertThat(a.waitFor(60, TimeUnit.SECONDS)).isTrue();
        release(hold);
        String leftover = RecordingLayout.tempName(ID, RecordingLayout.TAR, Long.toString(a.pid()));
        // and its lock, which the next run for this id takes over and removes
        assertThat(f.recordingDir()).containsExactlyInAnyOrder(leftover, RecordingLayout.lockName(ID));
        assertThat(RecordingLayout.leftoverOwner(leftover)).isEqualTo(ID);

        // the next run for the id takes the dead run's lock over and removes it when it is done
        Process again = f.start(env(f, f.tarWrapper(HELD_TAR), publish(f, tmp.resolve("again"), "again", 1)),
                "-m", ID, "-f", "presentation");
        Output out = Output.of(again);
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as(out.text()).isZero();
        assertThat(f.recordingDir()).containsExactlyInAnyOrder(leftover, ID + RecordingLayout.META, ID + RecordingLayout.TAR,
                ID + RecordingLayout.MARKER);
    }

    @Test
    void aTerminatedRunRemovesItsTemps() throws Exception {
        HookFixture f = new HookFixture(tmp);
        Path hold = tmp.resolve("hold");
        Process a = heldRun(f, hold);
        a.destroy();
        release(hold);
        assertThat(a.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(a.exitValue()).isNotZero();
        assertThat(f.recordingDir()).isEmpty();
    }

    /** A run whose tar is held after its first 10 KiB. */
    private Process heldRun(HookFixture f, Path hold) throws Exception {
        Map<String, String> env = env(f, f.tarWrapper(HELD_TAR), publish(f, tmp.resolve("first"), "first version", 1));
        env.put("HOLD_TAR", hold.toString());
        Process a = f.start(env, "-m", ID, "-f", "presentation");
        Output out = Output.of(a);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(hold.resolveSibling("hold.held")) || !a.isAlive());
        assertThat(a.isAlive()).as(out.text()).isTrue();
        return a;
    }

    /** Lets the held tar finish, and waits until it has. */
    private static void release(Path hold) throws IOException {
        Files.writeString(hold.resolveSibling("hold.release"), "");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(hold.resolveSibling("hold.done")));
    }

    /** A published presentation under root/<id>/ with `slides` slides and a 20 KiB video saying `what`. */
    private static Path publish(HookFixture f, Path root, String what, int slides) throws IOException {
        Path d = Files.createDirectories(root.resolve(ID));
        Files.writeString(d.resolve("metadata.xml"), "<recording><id>" + ID + "</id><meta><b3lb-recordset>" + NONCE
                + "</b3lb-recordset><what>" + what + "</what></meta></recording>\n");
        Path s = Files.createDirectories(d.resolve("presentation/slides"));
        for (int i = 1; i <= slides; i++) {
            Files.writeString(s.resolve("slide-" + i + ".svg"), "<svg/>");
        }
        Files.createDirectories(d.resolve("video"));
        Files.writeString(d.resolve("video/webcams.webm"), what.repeat(20_480 / what.length()));
        return root;
    }

    private static Map<String, String> env(HookFixture f, Path bin, Path published) {
        Map<String, String> env = new HashMap<>(f.pathFirst(bin));
        env.put("B3LB_PROTOCOL", "b3lb");
        env.put("B3LB_PUBLISHED_DIR", published.toString());
        return env;
    }

    /** A process's output, read as it comes, so a test can wait for a line. */
    static final class Output {
        private final StringBuffer text = new StringBuffer();

        static Output of(Process p) {
            Output o = new Output();
            Thread t = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    byte[] buf = new byte[4096];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        o.text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    o.text.append(e);
                }
            });
            t.setDaemon(true);
            t.start();
            return o;
        }

        String text() {
            return text.toString();
        }
    }
}
