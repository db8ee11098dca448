package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.Settings;
import org.b3lb.node.testing.RawHttp;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Both HTTP servers over raw sockets: idle connections are closed, connections beyond the cap are
 * closed while the endpoint keeps answering, and a request without Host gets a quiet 400.
 */
class HttpLimitsTest {

    @TempDir
    Path dir;

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
    }

    private RunningNode node(String idle, String max) throws Exception {
        return RunningNode.builder(dir.resolve("archived")).with("b3lb.upload.enabled", "false")
                .with("b3lb.http.idle-timeout", idle).with("b3lb.http.max-connections", max).start();
    }

    @Test
    void anIdleConnectionIsClosedByTheServerOnBothPorts() throws Exception {
        try (RunningNode node = node("1s", "100");
                Socket load = connect(node.loadPort());
                Socket management = connect(node.managementPort())) {
            // nothing sent: the server closes (read sees end of stream) instead of keeping the socket forever
            assertThat(readToEnd(load)).isEmpty();
            assertThat(readToEnd(management)).isEmpty();
            assertThat(RawHttp.exchange(node.loadPort(), "GET", "/")).startsWith("HTTP/1.0 200");
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAndTheEndpointKeepsAnswering() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (RunningNode node = node("1d", "3")) {
            for (int i = 0; i < 3; i++) {
                held.add(connect(node.loadPort()));
            }
            // the three are accepted and served: a kept-alive request on one of them answers
            held.get(0).getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(held.get(0).getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 200");
            try (Socket fourth = connect(node.loadPort())) {
                assertThat(readToEnd(fourth)).isEmpty();
            }
            // the management server has its own budget
            assertThat(node.management("/observe/health").statusCode()).isEqualTo(200);
            held.remove(2).close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(RawHttp.exchange(node.loadPort(), "GET", "/")).startsWith("HTTP/1.0 200"));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aRequestWithoutHostGetsAQuiet400() throws Exception {
        try (RunningNode node = node("30s", "100")) {
            for (int port : new int[] {node.loadPort(), node.managementPort()}) {
                try (Socket s = connect(port)) {
                    s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(readToEnd(s), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 400 ")
                            .contains("Host header");
                }
            }
            // HTTP/1.0 needs no Host and still gets the figure
            try (Socket s = connect(node.loadPort())) {
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(readToEnd(s), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.0 200");
            }
        }
        assertThat(logs.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }

    @Test
    void limitsAreCheckedAtStartUp() {
        assertThatThrownBy(() -> HttpLimits.from(Settings.load(null, Map.of(), Map.of("b3lb.http.idle-timeout", "500ms"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("between 1s and 1d");
        assertThatThrownBy(() -> HttpLimits.from(Settings.load(null, Map.of(), Map.of("b3lb.http.max-connections", "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("b3lb.http.max-connections");
        assertThat(HttpLimits.from(Settings.load(null, Map.of(), Map.of())))
                .isEqualTo(new HttpLimits(Duration.ofSeconds(30), 512));
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        return s;
    }

    /** Everything until the server closes; a reset counts as closed. */
    private static byte[] readToEnd(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            return in.readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }
}
