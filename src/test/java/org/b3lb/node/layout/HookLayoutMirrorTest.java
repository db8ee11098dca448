package org.b3lb.node.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The push hook writes the recording directory's names, the service reads them: the hook's Ruby
 * constants and name functions must say what {@link RecordingLayout} says. Read from the hook's
 * source, and asked of the hook itself by loading it into ruby (its main runs only as a script).
 */
class HookLayoutMirrorTest {

    static final Path HOOK = Path.of("src/main/bbb/b3lb-push-hook.rb").toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void theHooksConstantsAreTheLayouts() throws Exception {
        String source = Files.readString(HOOK);
        Map<String, String> java = Map.of("MARKER_SUFFIX", RecordingLayout.MARKER, "TAR_SUFFIX", RecordingLayout.TAR,
                "META_SUFFIX", RecordingLayout.META, "EVIDENCE_SUFFIX", RecordingLayout.EVIDENCE,
                "LOCK_SUFFIX", RecordingLayout.LOCK, "TMP_SUFFIX", RecordingLayout.TMP,
                "MAX_ID_LENGTH", Integer.toString(RecordingLayout.MAX_ID_LENGTH));
        java.forEach((name, value) -> {
            Matcher m = Pattern.compile("(?m)^" + name + " = '?([^'\\s]*)'?$").matcher(source);
            assertThat(m.find()).as(name + " in " + HOOK).isTrue();
            assertThat(m.group(1)).as(name).isEqualTo(value);
        });
    }

    @Test
    void theHooksTempAndLockNamesAreTheLayouts() throws Exception {
        Path script = Files.writeString(tmp.resolve("names.rb"), """
                load ARGV.shift
                id = ARGV.shift
                [MARKER_SUFFIX, TAR_SUFFIX, META_SUFFIX, EVIDENCE_SUFFIX].each { |s| puts temp_name(id, s, '4711') }
                puts temp_name(id, TAR_SUFFIX)
                puts Process.pid
                puts lock_name(id)
                ARGV.each { |candidate| puts VALID_ID.match?(candidate) && candidate.length <= MAX_ID_LENGTH }
                """);
        String id = "183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1700000000000";
        List<String> candidates = List.of(id, "a.b", "A_1-x", "-x", "_x", ".x", "a b", "\u00fc", "a/b",
                "c".repeat(RecordingLayout.MAX_ID_LENGTH), "c".repeat(RecordingLayout.MAX_ID_LENGTH + 1));
        List<String> cmd = new ArrayList<>(List.of("ruby", script.toString(), HOOK.toString(), id));
        cmd.addAll(candidates);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();

        List<String> expected = new ArrayList<>();
        for (String suffix : List.of(RecordingLayout.MARKER, RecordingLayout.TAR, RecordingLayout.META,
                RecordingLayout.EVIDENCE)) {
            expected.add(RecordingLayout.tempName(id, suffix, "4711"));
        }
        // without a tag the hook's own pid tells one run's temps from another's
        String pid = lines.size() > 5 ? lines.get(5) : "?";
        expected.add(RecordingLayout.tempName(id, RecordingLayout.TAR, pid));
        expected.add(pid);
        expected.add(RecordingLayout.lockName(id));
        for (String candidate : candidates) {
            expected.add(Boolean.toString(RecordingLayout.validId(candidate)));
        }
        assertThat(lines).as(out).containsExactlyElementsOf(expected);
        assertThat(pid).as(out).matches("[0-9]+");
        // what the hook leaves when killed is what the cleanup knows as a leftover of this id
        assertThat(RecordingLayout.leftoverOwner(lines.get(4))).isEqualTo(id);
        assertThat(RecordingLayout.leftoverOwner(lines.get(6))).isEqualTo(id);
    }
}
