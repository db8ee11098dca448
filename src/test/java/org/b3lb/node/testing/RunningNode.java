package org.b3lb.node.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.app.NodeService;
import org.b3lb.node.config.Settings;

/**
 * The whole service, started in-process on free loopback ports with the repository's own YAML
 * routes, exactly as {@code b3lb-node run} would build it. Tests add or change keys with
 * {@link #with(String, String)}; the process environment is not consulted.
 */
public final class RunningNode implements AutoCloseable {

    public static final String TEST_SECRET = "t3st-s3cret-9f1c7e";

    public static final Path REPO_ROUTES = Path.of("routes").toAbsolutePath();

    private final Main main;
    private final int loadPort;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningNode(Main main, int loadPort, int managementPort) {
        this.main = main;
        this.loadPort = loadPort;
        this.managementPort = managementPort;
    }

    public static Builder builder(Path recordingDir) {
        return new Builder(recordingDir);
    }

    public static final class Builder {
        private final Map<String, String> keys = new LinkedHashMap<>();

        private Builder(Path recordingDir) {
            keys.put("b3lb.recording-dir", recordingDir.toString());
            keys.put("b3lb.routes-dir", REPO_ROUTES.toString());
            keys.put("b3lb.load.port", Integer.toString(AvailablePortFinder.getNextAvailable()));
            keys.put("b3lb.management.port", Integer.toString(AvailablePortFinder.getNextAvailable()));
            // upload is on by default and needs a secret; nothing listens on this port, so a
            // test that drops no marker never notices, and upload tests point it at their sink
            keys.put("b3lb.upload.secret", TEST_SECRET);
            keys.put("b3lb.upload.endpoint", "http://127.0.0.1:" + AvailablePortFinder.getNextAvailable() + "/upload");
            keys.put("b3lb.upload.poll-delay", "100ms");
        }

        public Builder with(String key, String value) {
            keys.put(key, value);
            return this;
        }

        public RunningNode start() throws Exception {
            Files.createDirectories(Path.of(keys.get("b3lb.recording-dir")));
            Settings settings = Settings.load(null, Map.of(), keys);
            Main main = NodeService.create(settings);
            main.start();
            return new RunningNode(main, Integer.parseInt(keys.get("b3lb.load.port")),
                    Integer.parseInt(keys.get("b3lb.management.port")));
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public int loadPort() {
        return loadPort;
    }

    public int managementPort() {
        return managementPort;
    }

    public HttpResponse<String> load(String method, String path) throws IOException, InterruptedException {
        return send(loadPort, method, path);
    }

    public HttpResponse<String> management(String path) throws IOException, InterruptedException {
        return send(managementPort, "GET", path);
    }

    private HttpResponse<String> send(int port, String method, String path) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        main.stop();
    }
}
