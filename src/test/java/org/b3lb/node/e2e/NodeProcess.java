package org.b3lb.node.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.AvailablePortFinder;

/**
 * The built jar as systemd runs it: its own JVM with the unit's small heap and locale, a config
 * file next to the repository's routes, killed with SIGKILL where a scenario wants a crash.
 */
final class NodeProcess implements AutoCloseable {

    static final Path JAR = Path.of(System.getProperty("b3lb.jar", "target/b3lb-node.jar")).toAbsolutePath();

    private final Path dir;
    private final Map<String, String> keys = new LinkedHashMap<>();
    private final int loadPort = AvailablePortFinder.getNextAvailable();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int starts;

    NodeProcess(Path dir, Path recordingDir, String endpoint) {
        this.dir = dir;
        keys.put("b3lb.recording-dir", recordingDir.toString());
        keys.put("b3lb.routes-dir", Path.of("routes").toAbsolutePath().toString());
        keys.put("b3lb.load.port", Integer.toString(loadPort));
        keys.put("b3lb.management.port", Integer.toString(AvailablePortFinder.getNextAvailable()));
        keys.put("b3lb.upload.endpoint", endpoint);
        keys.put("b3lb.upload.secret", "e2e-secret-4d9a");
        keys.put("b3lb.upload.poll-delay", "200ms");
        keys.put("b3lb.upload.initial-delay", "200ms");
        keys.put("b3lb.upload.max-delay", "2s");
        keys.put("b3lb.upload.max-redeliveries", "2");
        keys.put("b3lb.upload.connect-timeout", "2s");
        keys.put("b3lb.upload.idle-timeout", "3s");
        keys.put("b3lb.upload.concurrency", "2");
    }

    NodeProcess with(String key, String value) {
        keys.put(key, value);
        return this;
    }

    void start() throws IOException {
        StringBuilder config = new StringBuilder();
        keys.forEach((k, v) -> config.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Path file = Files.writeString(dir.resolve("application.properties"), config.toString());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms16m", "-Xmx64m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-jar", JAR.toString(), "run", "--config", file.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("B3LB_") || k.startsWith("LC_"));
        // what the systemd unit sets
        pb.environment().put("LANG", "C.UTF-8");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()));
        process = pb.start();
        starts++;
    }

    /** SIGKILL: no shutdown hook, no flush, exactly what a crash or an OOM kill leaves behind. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    int starts() {
        return starts;
    }

    /** The load endpoint's status, or -1 when it does not answer. */
    int load() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + loadPort + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String log() throws IOException {
        Path log = dir.resolve("node.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
