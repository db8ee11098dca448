package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.b3lb.node.testing.RunningNode;
import org.b3lb.node.upload.UploadConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The active protocol in plain sight at start-up: one INFO line naming it and the endpoint without
 * its query, one WARN when the endpoint has the other protocol's path, and, under spec with no
 * secret and a B3LB 3.x endpoint, an error that names b3lb.protocol=b3lb first.
 */
class ProtocolInUseStartupTest {

    static final String HOST = "http://127.0.0.1:" + AvailablePortFinder.getNextAvailable();

    @TempDir
    Path dir;
    final ListAppender<ILoggingEvent> log = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger(NodeService.class);

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
        logger.setLevel(null);
    }

    private List<String> started(String protocol, String endpoint) throws Exception {
        try (RunningNode node = RunningNode.builder(dir.resolve("archived")).with("b3lb.protocol", protocol)
                .with("b3lb.upload.endpoint", endpoint).with("b3lb.upload.poll-delay", "1h").start()) {
            return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        }
    }

    @Test
    void specWithB3lb3xPathLogsTheProtocolAndOneWarning() throws Exception {
        List<String> lines = started("spec", HOST + "/b3lb/b/record/upload?token=t0k3n");
        assertThat(lines).contains("INFO Talking to B3LB with b3lb.protocol=spec (the protocol of the node-scripts document); "
                + "uploading to " + HOST + "/b3lb/b/record/upload");
        assertThat(lines).filteredOn(l -> l.startsWith("WARN")).singleElement().asString()
                .contains("b3lb.upload.endpoint " + HOST + "/b3lb/b/record/upload ends in /b3lb/b/record/upload")
                .contains("set b3lb.protocol=b3lb");
        assertThat(String.join("\n", lines)).doesNotContain("t0k3n");
    }

    @Test
    void b3lbWithTheSpecsPathLogsOneWarning() throws Exception {
        List<String> lines = started("b3lb", HOST + "/b3lb/b/recording/upload");
        assertThat(lines).contains("INFO Talking to B3LB with b3lb.protocol=b3lb (a stock B3LB 3.x); uploading to "
                + HOST + "/b3lb/b/recording/upload");
        assertThat(lines).filteredOn(l -> l.startsWith("WARN")).singleElement().asString()
                .contains("the node-scripts document's path, but b3lb.protocol=b3lb");
    }

    @Test
    void eachProtocolWithItsOwnPathWarnsOfNothing() throws Exception {
        assertThat(started("b3lb", HOST + "/b3lb/b/record/upload")).noneMatch(l -> l.startsWith("WARN"))
                .anyMatch(l -> l.contains("b3lb.protocol=b3lb (a stock B3LB 3.x)"));
        log.list.clear();
        assertThat(started("spec", HOST + "/b3lb/b/recording/upload")).noneMatch(l -> l.startsWith("WARN"));
    }

    private Settings settings(String endpoint, Path secretFile) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("b3lb.recording-dir", dir.toString());
        keys.put("b3lb.upload.endpoint", endpoint);
        keys.put("b3lb.upload.secret-file", secretFile.toString());
        return Settings.load(null, Map.of(), keys);
    }

    @Test
    void anEmptySecretUnderSpecWithAB3lb3xEndpointNamesTheProtocolFirst() throws Exception {
        Path empty = Files.writeString(dir.resolve("secret"), "");
        assertThatThrownBy(() -> UploadConfig.from(settings("https://b3lb.example.org/b3lb/b/record/upload", empty)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("set b3lb.protocol=b3lb if this node uploads to a stock B3LB 3.x")
                .hasMessageContaining("is empty; write the secret B3LB knows this node by");
        // the spec's own path: the secret is what is missing
        assertThatThrownBy(() -> UploadConfig.from(settings("https://b3lb.example.org/b3lb/b/recording/upload", empty)))
                .hasMessageStartingWith("the node secret file " + empty);
    }
}
