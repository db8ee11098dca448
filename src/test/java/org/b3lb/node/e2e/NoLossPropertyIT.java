package org.b3lb.node.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.b3lb.node.e2e.VersionReceiver.Fault;
import org.b3lb.node.e2e.VersionReceiver.Received;
import org.b3lb.node.layout.Evidence;
import org.b3lb.node.layout.FileIdentity;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized interleavings of what happens on a real node, each from a seed: BBB publishing a
 * recording and running the real hook (ruby, b3lb protocol), rebuilds of the same id while an
 * older version is being sent, two hook runs for one id at once, a hook killed mid-run, the built
 * jar killed with SIGKILL and restarted, a receiver that answers 2xx, 503, stalls, resets or cuts
 * its answer, and cleanup passes ({@code b3lb-node clean}) over recordings whose evidence was aged
 * past the retention. After every step: no file that is not a recording's was touched, and every
 * tar that disappeared had been received byte for byte (the version it held, and the newest version
 * any finished hook run packed). At the end, with a calm receiver: every recording's newest
 * finished version was received byte-exact, and whatever is left is marked or carries the evidence
 * of exactly the tar on disk. Seeds and size: {@code -Db3lb.noloss.seeds=1,2,3 -Db3lb.noloss.ops=60};
 * figures go to target/e2e-noloss.txt.
 */
class NoLossPropertyIT {

    static final int OPS = Integer.getInteger("b3lb.noloss.ops", 45);
    static final int IDS = Integer.getInteger("b3lb.noloss.ids", 4);
    static final Path HOOK = Path.of("src/main/bbb/b3lb-push-hook.rb").toAbsolutePath();
    static final Path REPORT = Path.of("target", "e2e-noloss.txt");
    /** false only to run the loss checks against a build that writes no evidence (1.0), as docs/reliability.md did. */
    static final boolean EVIDENCE_CHECKS = !Boolean.getBoolean("b3lb.noloss.without-evidence");

    @TempDir
    Path dir;

    static LongStream seeds() {
        return Arrays.stream(System.getProperty("b3lb.noloss.seeds", "11,12").split(",")).mapToLong(s -> Long.parseLong(s.trim()));
    }

    /** One hook run: the version published when it started; exit code once it ended (null while running). */
    static final class HookRun {
        final String id;
        final int versionAtStart;
        final Process process;
        final Path log;
        volatile boolean killed;

        HookRun(String id, int versionAtStart, Process process, Path log) {
            this.id = id;
            this.versionAtStart = versionAtStart;
            this.process = process;
            this.log = log;
        }

        boolean finishedOk() {
            return !process.isAlive() && !killed && process.exitValue() == 0;
        }
    }

    private Path raw;
    private Path published;
    private Path rec;
    private Path old;
    private Random random;
    private final Map<String, Integer> latest = new HashMap<>();
    private final Map<String, Map<Integer, Map<String, byte[]>>> versions = new HashMap<>();
    private final Map<String, String> nonces = new HashMap<>();
    private final List<HookRun> runs = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> foreign = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomInterleavingsLoseNoFinishedVersion(long seed) throws Exception {
        random = new Random(seed);
        raw = Files.createDirectories(dir.resolve("raw"));
        published = Files.createDirectories(dir.resolve("published/presentation"));
        old = Files.createDirectories(dir.resolve("published-old"));
        rec = Files.createDirectories(dir.resolve("archived"));
        for (String name : List.of("notes.txt", "other.tar.bak", ".hidden", "x.tar.part", "admin copy.tar")) {
            byte[] b = ("an admin's file " + name).getBytes(StandardCharsets.UTF_8);
            Files.write(rec.resolve(name), b);
            foreign.put(name, b);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < IDS; i++) {
            String id = String.format("%040x-%d", seed * 1000 + i, 1_700_000_000_000L + i);
            ids.add(id);
            nonces.put(id, "N" + Long.toString(Math.abs(random.nextLong()), 36) + "_n-" + i);
            Files.createDirectories(raw.resolve(id));
            Files.writeString(raw.resolve(id).resolve("events.xml"), "<recording><metadata meetingName=\"r\" b3lb-recordset=\""
                    + nonces.get(id) + "\"/><event timestamp=\"1\"/></recording>\n");
        }
        long started = System.nanoTime();
        try (VersionReceiver receiver = new VersionReceiver(this::fault);
             NodeProcess node = new NodeProcess(dir, rec, receiver.endpoint())
                     .with("b3lb.protocol", "b3lb")
                     .with("b3lb.cleaner.enabled", "false")
                     .with("b3lb.cleaner.retention-days", "1")) {
            node.start();
            for (int op = 0; op < OPS; op++) {
                String id = ids.get(random.nextInt(ids.size()));
                int dice = random.nextInt(100);
                if (dice < 35) {
                    count("rebuild");
                    rebuild(id);
                } else if (dice < 45) {
                    count("two hook runs at once");
                    rebuild(id);
                    Thread.sleep(100 + random.nextInt(300));
                    rebuild(id);
                } else if (dice < 52) {
                    count("kill -9 and restart");
                    node.kill();
                    node.start();
                } else if (dice < 56) {
                    count("hook killed");
                    killAHook();
                } else if (dice < 72) {
                    count("cleanup pass");
                    cleanup(node, ids);
                } else {
                    count("wait");
                    Thread.sleep(random.nextInt(900));
                }
                assertSafe(ids, receiver);
            }
            // the end: a calm receiver, every hook done, every marker sent
            receiver.calm();
            for (HookRun r : runs) {
                assertThat(r.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> markers().isEmpty());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertSettled(ids, receiver, node.starts() > 1));
            assertSafe(ids, receiver);
            for (HookRun r : runs) {
                assertThat(r.killed || r.process.exitValue() == 0).as("hook run for %s exited %s: %s", r.id,
                        r.process.exitValue(), Files.readString(r.log)).isTrue();
            }
            report(seed, started, receiver, node);
        }
    }

    private Fault fault() {
        int d = random(100);
        return d < 35 ? Fault.OK : d < 60 ? Fault.SLOW_OK : d < 68 ? Fault.STALL : d < 80 ? Fault.UNAVAILABLE_503
                : d < 90 ? Fault.RESET_MID_BODY : Fault.OK_THEN_TRUNCATED;
    }

    /** The receiver's threads ask too: one generator, used under its lock, keeps a seed's draws in one sequence. */
    private int random(int bound) {
        synchronized (random) {
            return random.nextInt(bound);
        }
    }

    private void count(String what) {
        counts.merge(what, 1, Integer::sum);
    }

    /** BBB publishes version k+1 of the presentation (a new directory swapped in) and runs the hook, not waiting for it. */
    private void rebuild(String id) throws IOException {
        int k = latest.merge(id, 1, Integer::sum);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("version.txt", (id + " v" + k + "\n").getBytes(StandardCharsets.US_ASCII));
        byte[] data = new byte[50_000 + random(900_000)];
        new Random(id.hashCode() * 31L + k).nextBytes(data);
        files.put("video/webcams.webm", data);
        files.put("metadata.xml", ("<recording><id>" + id + "</id><meta><b3lb-recordset>" + nonces.get(id)
                + "</b3lb-recordset></meta><version>" + k + "</version></recording>\n").getBytes(StandardCharsets.US_ASCII));
        versions.computeIfAbsent(id, x -> new HashMap<>()).put(k, files);
        Path staging = dir.resolve("staging-" + id + "-" + k);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = staging.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        Path current = published.resolve(id);
        if (Files.exists(current)) {
            // an older hook run may still be reading it: moved away, never deleted
            Files.move(current, old.resolve(id + "-" + System.nanoTime()));
        }
        Files.move(staging, current);
        Path log = dir.resolve("hook-" + runs.size() + ".log");
        ProcessBuilder pb = new ProcessBuilder("ruby", HOOK.toString(), "-m", id, "-f", "presentation").redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k2 -> k2.startsWith("B3LB_"));
        pb.environment().put("B3LB_PROTOCOL", "b3lb");
        pb.environment().put("B3LB_RAW_DIR", raw.toString());
        pb.environment().put("B3LB_PUBLISHED_DIR", published.toString());
        pb.environment().put("B3LB_RECORDING_DIR", rec.toString());
        pb.environment().put("B3LB_CONFIG", dir.resolve("no-such.properties").toString());
        pb.environment().put("B3LB_FREE_SPACE_MARGIN", "0");
        runs.add(new HookRun(id, k, pb.start(), log));
    }

    private void killAHook() throws InterruptedException {
        for (HookRun r : runs) {
            if (r.process.isAlive()) {
                r.killed = true;
                r.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return;
            }
        }
    }

    /** Evidence of some recordings aged past the retention, then one cleanup pass, as cron would run it. */
    private void cleanup(NodeProcess node, List<String> ids) throws Exception {
        Map<String, Integer> before = new HashMap<>();
        for (String id : ids) {
            Path evidence = rec.resolve(id + ".uploaded");
            if (Files.exists(evidence) && random(2) == 0) {
                Files.setLastModifiedTime(evidence, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
            }
            Integer v = versionOnDisk(id);
            if (v != null) {
                before.put(id, v);
            }
        }
        List<HookRun> runningBefore = runs.stream().filter(r -> r.process.isAlive()).toList();
        Process clean = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-jar", NodeProcess.JAR.toString(), "clean", "--config", dir.resolve("application.properties").toString())
                .redirectErrorStream(true).start();
        String out = new String(clean.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(clean.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(clean.exitValue()).as(out).isIn(0, 1);
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            String id = e.getKey();
            boolean hookRan = runningBefore.stream().anyMatch(r -> r.id.equals(id))
                    || runs.stream().anyMatch(r -> r.id.equals(id) && !runningBefore.contains(r) && r.versionAtStart > e.getValue());
            if (!Files.exists(rec.resolve(id + ".tar")) && !hookRan) {
                count("tar deleted by a cleanup pass");
                assertThat(receivedExactly(id, e.getValue())).as("%s v%d was deleted by the cleanup without having been received; "
                        + "clean said:%n%s", id, e.getValue(), out).isTrue();
            }
        }
    }

    private Integer versionOnDisk(String id) {
        try {
            byte[] v = VersionReceiver.Tar.entries(Files.readAllBytes(rec.resolve(id + ".tar"))).get("version.txt");
            return v == null ? null : Integer.parseInt(new String(v, StandardCharsets.US_ASCII).trim().replaceAll(".* v", ""));
        } catch (IOException | RuntimeException e) {
            return null; // none, or being replaced right now
        }
    }

    private boolean receivedExactly(String id, int version) {
        Map<String, byte[]> want = versions.get(id).get(version);
        for (Received r : receiverOf.received()) {
            if (id.equals(r.id()) && sameFiles(want, r) && Arrays.equals(want.get("metadata.xml"), r.meta())
                    && nonces.get(id).equals(r.nonce())) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameFiles(Map<String, byte[]> want, Received r) {
        if (!want.keySet().equals(r.files().keySet())) {
            return false;
        }
        return want.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), r.files().get(e.getKey())));
    }

    private VersionReceiver receiverOf;

    /** What must hold at every moment. */
    private void assertSafe(List<String> ids, VersionReceiver receiver) throws IOException {
        receiverOf = receiver;
        for (Map.Entry<String, byte[]> f : foreign.entrySet()) {
            assertThat(Files.readAllBytes(rec.resolve(f.getKey()))).as("an admin's file %s", f.getKey()).isEqualTo(f.getValue());
        }
        for (Received r : receiver.received()) {
            // whatever arrived is one whole published version, never a mix or a prefix
            Integer v = r.files().containsKey("version.txt")
                    ? Integer.valueOf(new String(r.files().get("version.txt"), StandardCharsets.US_ASCII).trim().replaceAll(".* v", ""))
                    : null;
            assertThat(v).as("a received tar of %s without version.txt: %s", r.id(), r.files().keySet()).isNotNull();
            assertThat(receivedExactly(r.id(), v)).as("%s v%d arrived, but not byte-exact with its metadata and nonce", r.id(), v).isTrue();
        }
        for (String id : ids) {
            boolean hookRunning = runs.stream().anyMatch(r -> r.id.equals(id) && r.process.isAlive());
            boolean lastKilled = runs.stream().filter(r -> r.id.equals(id)).reduce((a, b) -> b).map(r -> r.killed).orElse(true);
            Path tar = rec.resolve(id + ".tar");
            if (EVIDENCE_CHECKS && !hookRunning && !lastKilled && Files.exists(tar) && !Files.exists(rec.resolve(id + ".ready"))) {
                // unmarked: the route wrote the evidence before it deleted the marker, for exactly this tar
                RecordingFiles files = new RecordingFiles(rec, id);
                Integer onDisk = versionOnDisk(id);
                if (Files.exists(tar) && !Files.exists(files.marker())) {
                    assertThat(Evidence.uploadedAt(files, FileIdentity.of(tar))).as("%s: a tar without marker and without "
                            + "evidence of exactly this version", id).isPresent();
                    assertThat(onDisk != null && receivedExactly(id, onDisk)).as("%s v%s unmarked with evidence, never received",
                            id, onDisk).isTrue();
                }
            }
            int finished = newestFinished(id);
            if (finished > 0 && !Files.exists(rec.resolve(id + ".tar")) && runs.stream().noneMatch(r -> r.id.equals(id) && r.process.isAlive())) {
                assertThat(receivedAtLeast(id, finished)).as("%s has no tar, yet no version >= v%d (the newest a finished hook run packed) "
                        + "was received", id, finished).isTrue();
            }
        }
    }

    private int newestFinished(String id) {
        return runs.stream().filter(r -> r.id.equals(id) && r.finishedOk()).mapToInt(r -> r.versionAtStart).max().orElse(0);
    }

    private boolean receivedAtLeast(String id, int version) {
        for (int v = version; v <= latest.getOrDefault(id, 0); v++) {
            if (receivedExactly(id, v)) {
                return true;
            }
        }
        return false;
    }

    /** The end state once everything settled. */
    private void assertSettled(List<String> ids, VersionReceiver receiver, boolean serviceKilled) throws IOException {
        receiverOf = receiver;
        for (String id : ids) {
            int finished = newestFinished(id);
            if (finished == 0) {
                continue;
            }
            assertThat(receivedAtLeast(id, finished)).as("%s: no version >= v%d received", id, finished).isTrue();
            Path tar = rec.resolve(id + ".tar");
            if (EVIDENCE_CHECKS && Files.exists(tar) && !runs.stream().filter(r -> r.id.equals(id)).reduce((a, b) -> b).orElseThrow().killed) {
                Integer onDisk = versionOnDisk(id);
                assertThat(onDisk).as("%s: the tar on disk", id).isNotNull();
                assertThat(receivedExactly(id, onDisk)).as("%s v%d on disk, unmarked, but never received", id, onDisk).isTrue();
                assertThat(Files.exists(rec.resolve(id + ".uploaded"))).as("%s: evidence beside the uploaded tar", id).isTrue();
            }
        }
        try (Stream<Path> s = Files.list(rec)) {
            List<String> temps = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            List<String> killedPids = runs.stream().filter(r -> r.killed).map(r -> "." + r.process.pid() + ".tmp").toList();
            // a SIGKILL of the service while it wrote evidence leaves that temp too (the cleanup deletes it after a day)
            assertThat(temps).as("temp files left by writers that were not killed")
                    .allMatch(t -> killedPids.stream().anyMatch(t::endsWith) || serviceKilled && t.contains(".uploaded."));
        }
    }

    private List<Path> markers() throws IOException {
        try (Stream<Path> s = Files.list(rec)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ready")).toList();
        }
    }

    private void report(long seed, long started, VersionReceiver receiver, NodeProcess node) throws IOException {
        String line = String.format("no-loss property, seed %d: %d operations %s over %d recordings, %d hook runs, %d received, "
                + "%d starts of the node, %.1f s%n", seed, OPS, counts, IDS, runs.size(), receiver.received().size(), node.starts(),
                (System.nanoTime() - started) / 1e9);
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
