package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.ResourceReloadStrategy;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.b3lb.node.app.NodeService;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code b3lb.routes.reload=true}: an edited YAML route applies without a restart; a broken one changes nothing. */
class RouteReloadTest {

    private static final Duration RELOAD = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
    }

    @Test
    void editedRoutesApplyAndABrokenFileLeavesTheRunningRoutesAsTheyWere() throws Exception {
        Path routes = loadOnlyRoutes();
        Path loadYaml = routes.resolve("load.camel.yaml");
        String original = Files.readString(loadYaml);

        try (RunningNode node = nodeOn(routes).with("b3lb.routes.reload", "true").start()) {
            assertThat(node.context().hasServices(ResourceReloadStrategy.class)).hasSize(1);
            assertThat(node.load("POST", "/").statusCode()).isEqualTo(405);

            // an admin allows POST in the installed file
            assertThat(original).contains("httpMethodRestrict: \"GET,HEAD\"");
            save(loadYaml, original.replace("httpMethodRestrict: \"GET,HEAD\"", "httpMethodRestrict: \"GET,HEAD,POST\""));
            await().atMost(RELOAD).until(() -> node.load("POST", "/").statusCode() == 200);

            // and adds a route of their own in a new file
            save(routes.resolve("extra.camel.yaml"), """
                    - route:
                        id: extra
                        from:
                          uri: "timer:extra?repeatCount=1"
                          steps:
                            - log: "extra route ran"
                    """);
            await().atMost(RELOAD).until(() -> node.context().getRoute("extra") != null);

            // then saves a broken file
            int before = logs.list.size();
            save(loadYaml, "- route:\n    id: load\n    from: [unclosed\n");
            await().atMost(RELOAD).until(() -> problemsSince(before).stream()
                    .anyMatch(e -> (e.getFormattedMessage() + throwableText(e)).contains("load.camel.yaml")));

            assertThat(node.context().getRouteController().getRouteStatus("load")).isEqualTo(ServiceStatus.Started);
            assertThat(node.context().getRoute("extra")).isNotNull();
            assertThat(node.load("GET", "/").statusCode()).isEqualTo(200);
            // still the last good version, not the packaged one and not an empty route set
            assertThat(node.load("POST", "/").statusCode()).isEqualTo(200);

            // valid YAML that is not a valid route: an unknown component
            int beforeSemantic = logs.list.size();
            save(loadYaml, original.replace("platform-http:/", "no-such-component:/"));
            await().atMost(RELOAD).until(() -> problemsSince(beforeSemantic).stream()
                    .anyMatch(e -> (e.getFormattedMessage() + throwableText(e)).contains("no-such-component")));
            assertThat(node.context().getRouteController().getRouteStatus("load")).isEqualTo(ServiceStatus.Started);
            assertThat(node.load("GET", "/").statusCode()).isEqualTo(200);
            assertThat(node.load("POST", "/").statusCode()).isEqualTo(200);

            // the restored route is still tied to its file: the next good save replaces it
            save(loadYaml, original);
            await().atMost(RELOAD).until(() -> node.load("POST", "/").statusCode() == 405);
            assertThat(node.load("GET", "/").statusCode()).isEqualTo(200);
        }
    }

    /**
     * Why SafeRouteReload exists: Camel 4.18's own RouteWatcherReloadStrategy (what
     * camel.main.routes-reload-enabled installs), even told to keep the other routes, removes the
     * route of a file that parses but does not start, and puts nothing back. If this fails, Camel
     * learned to keep the running route, and SafeRouteReload can go.
     */
    @Test
    void camelsOwnReloadLosesTheRouteOfAFileThatDoesNotStart() throws Exception {
        Path routes = loadOnlyRoutes();
        Path loadYaml = routes.resolve("load.camel.yaml");
        String original = Files.readString(loadYaml);
        try (RunningNode node = nodeOn(routes).start()) {
            RouteWatcherReloadStrategy camels = new RouteWatcherReloadStrategy(routes.toString(), false);
            camels.setPattern("*.camel.yaml");
            camels.setRemoveAllRoutes(false);
            node.context().addService(camels);
            assertThat(node.context().getRoute("load")).isNotNull();

            save(loadYaml, original.replace("platform-http:/", "no-such-component:/"));
            await().atMost(RELOAD).until(() -> node.context().getRoute("load") == null);
            assertThat(node.load("GET", "/").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aBadValueFromTheEnvironmentStopsStartUpNamingTheKey() {
        Settings s = Settings.load(null,
                Map.of("B3LB_ROUTES_RELOAD", "yes"),
                Map.of("b3lb.routes-dir", RunningNode.REPO_ROUTES.toString()));
        assertThatThrownBy(() -> NodeService.create(s))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("b3lb.routes.reload").hasMessageContaining("B3LB_ROUTES_RELOAD")
                .hasMessageContaining("true or false");
    }

    @Test
    void offByDefault() throws Exception {
        try (RunningNode node = RunningNode.builder(dir.resolve("archived")).start()) {
            assertThat(node.context().hasServices(ResourceReloadStrategy.class)).isEmpty();
        }
    }

    /** Written next to the target and moved over it, the way editors save, so no half file is ever seen. */
    private static void save(Path target, String content) throws Exception {
        Path tmp = Files.writeString(target.resolveSibling("." + target.getFileName() + ".tmp"), content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private List<ILoggingEvent> problemsSince(int index) {
        List<ILoggingEvent> copy = List.copyOf(logs.list);
        return copy.subList(Math.min(index, copy.size()), copy.size()).stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .toList();
    }

    private static String throwableText(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder();
        for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
            sb.append(' ').append(t.getMessage());
        }
        return sb.toString();
    }

    /** A routes directory holding only the shipped load.camel.yaml. */
    private Path loadOnlyRoutes() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.copy(RunningNode.REPO_ROUTES.resolve("load.camel.yaml"), routes.resolve("load.camel.yaml"));
        return routes;
    }

    /** A node on {@code routes}; the cleaner is off, as such a directory has no cleanup.camel.yaml. */
    private RunningNode.Builder nodeOn(Path routes) {
        return RunningNode.builder(dir.resolve("archived"))
                .with("b3lb.routes-dir", routes.toString())
                .with("b3lb.cleaner.enabled", "false");
    }
}
