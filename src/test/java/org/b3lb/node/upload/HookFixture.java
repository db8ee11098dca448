package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.b3lb.node.layout.RecordingLayout;

/**
 * A BBB node's recording layout in a temporary directory, and the hook run in it with {@code ruby}
 * exactly as BigBlueButton runs it. Variables of the test's own environment that steer the hook
 * are removed, so only what a test passes counts.
 */
final class HookFixture {

    static final Path HOOK = Path.of("src/main/bbb/b3lb-push-hook.rb").toAbsolutePath();

    record Run(int code, String output) {
    }

    final Path root;
    final Path raw;
    final Path rec;
    final Path published;

    HookFixture(Path root) throws IOException {
        this.root = root;
        raw = Files.createDirectories(root.resolve("raw"));
        rec = Files.createDirectories(root.resolve("archived"));
        published = Files.createDirectories(root.resolve("published/presentation"));
    }

    Run hook(Map<String, String> env, String... args) throws Exception {
        Process p = start(env, args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** The hook started, not awaited: for runs that overlap. Its log is on the process's stdout. */
    Process start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ruby", HOOK.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        for (String inherited : List.of("B3LB_PROTOCOL", "B3LB_RECORD_META_TAG", "B3LB_FREE_SPACE_MARGIN")) {
            pb.environment().remove(inherited);
        }
        pb.environment().put("B3LB_RAW_DIR", raw.toString());
        pb.environment().put("B3LB_PUBLISHED_DIR", published.toString());
        pb.environment().put("B3LB_RECORDING_DIR", rec.toString());
        pb.environment().put("B3LB_CONFIG", root.resolve("no-such.properties").toString());
        pb.environment().put("B3LB_BBB_SCRIPTS_DIR", root.resolve("scripts").toString());
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * A directory holding an executable {@code tar} that runs {@code script} (sh); put first on the
     * hook's PATH, it replaces the tar the hook runs (the hook finds tar through PATH).
     */
    Path tarWrapper(String script) throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path tar = Files.writeString(bin.resolve("tar"), "#!/bin/sh\n" + script);
        assertThat(tar.toFile().setExecutable(true)).isTrue();
        return bin;
    }

    Map<String, String> pathFirst(Path bin) {
        return Map.of("PATH", bin + ":" + System.getenv("PATH"));
    }

    /** The names in a tar, as {@code tar -tf} lists them. */
    static List<String> tarList(Path tar) throws Exception {
        Process p = new ProcessBuilder("tar", "-tf", tar.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    /** raw/<id>/ with events.xml (metadata attributes as given, e.g. {@code b3lb-recordset="..."}) and audio */
    void rawRecording(String id, String metadataAttributes, int audioBytes) throws IOException {
        Path d = Files.createDirectories(raw.resolve(id).resolve("audio"));
        Files.writeString(raw.resolve(id).resolve("events.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<recording meeting_id=\"" + id + "\" bbb_version=\"2.7.3\">\n"
                + "  <meeting id=\"" + id + "\" externalId=\"room-1\" name=\"Room 1\" breakout=\"false\"/>\n"
                + "  <metadata isBreakout=\"false\" meetingName=\"Room 1\" " + metadataAttributes + "/>\n"
                + "  <event timestamp=\"1700000000000\" module=\"PARTICIPANT\" eventname=\"ParticipantJoinEvent\"/>\n"
                + "</recording>\n");
        Files.write(d.resolve("audio.opus"), new byte[audioBytes]);
    }

    void rawRecording(String id) throws IOException {
        rawRecording(id, "", 5000);
    }

    /** published/presentation/<id>/ as BBB publishes it: metadata.xml (nonce in meta, if any), slides, video */
    Path publishedRecording(String id, String nonce, int videoBytes) throws IOException {
        Path d = Files.createDirectories(published.resolve(id));
        String meta = nonce == null ? "" : "<b3lb-recordset>" + nonce + "</b3lb-recordset>";
        Files.writeString(d.resolve("metadata.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<recording>\n"
                + "  <id>" + id + "</id>\n  <state>published</state>\n  <published>true</published>\n"
                + "  <meta><isBreakout>false</isBreakout>" + meta + "</meta>\n"
                + "  <playback><format>presentation</format></playback>\n</recording>\n");
        Files.createDirectories(d.resolve("presentation/slides"));
        Files.writeString(d.resolve("presentation/slides/slide-1.svg"), "<svg/>");
        Files.createDirectories(d.resolve("video"));
        Files.write(d.resolve("video/webcams.webm"), new byte[videoBytes]);
        return d;
    }

    /**
     * The recording directory's names, temps and locks included: a run that ended removed its lock
     * ({@code .<id>.lock}) while holding it, so only a killed run's lock may show.
     */
    List<String> recordingDir() throws IOException {
        return list(rec);
    }

    static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean isLock(String name) {
        return name.endsWith(RecordingLayout.LOCK) && RecordingLayout.leftoverOwner(name) != null;
    }
}
