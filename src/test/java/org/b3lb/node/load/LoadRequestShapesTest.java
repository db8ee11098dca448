package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.b3lb.node.testing.RawHttp;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 20 W8: requests of odd shape on the load port, over a raw socket so nothing is normalised
 * by a client: a GET with a body was answered 413 or 500 with an ERROR and a stack trace per
 * request (a log an outsider could fill), and a 405 carried an empty {@code allow:} header. A body
 * on GET or HEAD is now a 400 that says so; no route here reads one.
 */
class LoadRequestShapesTest {

    @TempDir
    static Path dir;

    static RunningNode node;
    static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        LOGS.setContext(ctx);
        LOGS.start();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(LOGS);
        node = RunningNode.builder(dir.resolve("archived")).start();
    }

    @AfterAll
    static void stop() {
        node.close();
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(LOGS);
    }

    private static String send(String request) throws Exception {
        int before = events().size();
        String answer = RawHttp.send(node.loadPort(), request);
        List<ILoggingEvent> logged = events().subList(before, events().size());
        assertThat(logged).as("log events of one request").noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
        return answer;
    }

    private static List<ILoggingEvent> events() {
        synchronized (LOGS) {
            return new ArrayList<>(LOGS.list);
        }
    }

    /** Was 500 and an ERROR with a trace: Vert.x cannot decode a form on a GET. */
    @Test
    void aGetWithAFormBodyIsA400AndLogsNoError() throws Exception {
        String answer = send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 11\r\nConnection: close\r\n\r\nhello=world");
        assertThat(answer).startsWith("HTTP/1.1 400 ").endsWith("\r\n\r\nBad Request: GET takes no body\n");
    }

    /** Was 413 and an ERROR with a trace: the body is over camel.server.max-body-size. */
    @Test
    void aGetWithALargeBodyIsA400AndLogsNoError() throws Exception {
        String answer = send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: 5000\r\nConnection: close\r\n\r\n" + "x".repeat(5000));
        assertThat(answer).startsWith("HTTP/1.1 400 ").endsWith("Bad Request: GET takes no body\n");
    }

    @Test
    void aGetWithAChunkedBodyIsA400AndLogsNoError() throws Exception {
        String answer = send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400 ").endsWith("Bad Request: GET takes no body\n");
    }

    @Test
    void aHeadWithABodyIsA400WithoutBody() throws Exception {
        String answer = send("HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
        assertThat(answer).startsWith("HTTP/1.1 400 ").endsWith("\r\n\r\n");
    }

    @Test
    void aGetWithAnEmptyBodyIsAnsweredAsAGet() throws Exception {
        String answer = send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200 ").containsIgnoringCase("Content-Type: text/plain");
        assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4)).matches("\\d+\\.\\d{2}\\n");
    }

    @Test
    void otherMethodsAre405NamingTheMethodsTheRouteAllows() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
            String answer = send(method + " / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            assertThat(answer).as(method).startsWith("HTTP/1.1 405 ");
            assertThat(headers(answer)).as(method).contains("allow: GET, HEAD");
        }
    }

    /** The same fix serves the management port: its routes (Camel's and the status page) allow GET only. */
    @Test
    void managementAnswers405NamingGet() throws Exception {
        for (String path : new String[] {"/observe/health", "/observe/metrics", "/observe/status"}) {
            String answer = RawHttp.send(node.managementPort(), "POST " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.0 405 ");
            assertThat(headers(answer)).as(path).contains("allow: GET");
        }
    }

    @Test
    void anAnswerHasNoEmptyHeader() throws Exception {
        for (String request : new String[] {"POST / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", "GET /nope HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
                "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"}) {
            assertThat(headers(send(request))).as(request).noneMatch(h -> h.matches("[^:]+:\\s*"));
        }
    }

    /** The header lines, names lower-cased. */
    private static List<String> headers(String answer) {
        List<String> out = new ArrayList<>();
        String[] lines = answer.substring(0, answer.indexOf("\r\n\r\n")).split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            out.add(colon < 0 ? lines[i] : lines[i].substring(0, colon).toLowerCase() + lines[i].substring(colon));
        }
        return out;
    }
}
