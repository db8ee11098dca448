package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.layout.RecordingFiles;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 C1: whatever a server sends back (a 30 MB 503, an endless chunked 200), the service
 * reads at most 64 KiB of it and drops the connection. Run as its own JVM with a 48 MiB heap, the
 * way systemd runs it (-XX:+ExitOnOutOfMemoryError included): the server counts what it managed to
 * write before the client closed, which includes what sat in the socket buffers.
 */
class BoundedAnswerTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final long BIG = 30_000_000L;

    @TempDir
    Path tmp;
    Process fork;
    Answerer server;

    @AfterEach
    void tearDown() throws Exception {
        if (fork != null) {
            fork.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    /** A raw HTTP server: reads each request whole, then answers with a body far beyond any bound. */
    static final class Answerer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        /** Per connection: body bytes written before the client went away (-1 while still writing). */
        final List<long[]> written = new CopyOnWriteArrayList<>();
        private final boolean chunked;

        Answerer(boolean chunked) throws IOException {
            this.chunked = chunked;
            Thread t = new Thread(this::accept, "answerer");
            t.setDaemon(true);
            t.start();
        }

        String endpoint() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/b3lb/b/recording/upload";
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    s.setSendBufferSize(32 << 10);
                    Thread t = new Thread(() -> serve(s), "answer");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            long[] count = {-1};
            written.add(count);
            long n = 0;
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head = head(in);
                long length = 0;
                for (String line : head.split("\r\n")) {
                    String l = line.toLowerCase(Locale.ROOT);
                    if (l.startsWith("content-length:")) {
                        length = Long.parseLong(l.substring(15).trim());
                    }
                    if (l.startsWith("expect:")) {
                        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
                in.skipNBytes(length);
                out.write((chunked ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        : "HTTP/1.1 503 Busy\r\nContent-Length: " + BIG + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] block = "0123456789abcdef".repeat(1024).getBytes(StandardCharsets.US_ASCII); // 16 KiB
                byte[] chunkHead = "4000\r\n".getBytes(StandardCharsets.US_ASCII);
                while (chunked || n < BIG) {
                    if (chunked) {
                        out.write(chunkHead);
                    }
                    out.write(block);
                    if (chunked) {
                        out.write('\r');
                        out.write('\n');
                    }
                    n += block.length;
                }
                out.flush();
            } catch (IOException e) {
                // the client closed the connection: what we count
            }
            count[0] = n;
        }

        private static String head(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            while (!sb.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed");
                }
                sb.append((char) b);
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private Path startFork(String endpoint, Path dir) throws Exception {
        Path log = tmp.resolve("fork.log");
        Path cfg = Files.writeString(tmp.resolve("application.properties"), String.join("\n",
                "b3lb.recording-dir=" + dir,
                "b3lb.routes-dir=" + RunningNode.REPO_ROUTES,
                "b3lb.load.port=" + AvailablePortFinder.getNextAvailable(),
                "b3lb.management.port=" + AvailablePortFinder.getNextAvailable(),
                "b3lb.upload.endpoint=" + endpoint,
                "b3lb.upload.secret=fork-secret",
                "b3lb.upload.poll-delay=100ms",
                "b3lb.upload.initial-delay=100ms",
                "b3lb.upload.max-delay=1s",
                "b3lb.upload.idle-timeout=5s",
                "") + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        fork = new ProcessBuilder(java, "-Xmx48m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                "org.b3lb.node.app.App", "run", "--config", cfg.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return log;
    }

    private void assertEveryConnectionDroppedEarly() {
        assertThat(server.written).allSatisfy(c -> assertThat(c[0]).as("bytes written on one connection")
                .isBetween(0L, (long) (1 << 20)));
    }

    @Test
    void a30MegabyteErrorAnswerIsReadAt64KiBAndItsConnectionDropped() throws Exception {
        server = new Answerer(false);
        Path dir = Files.createDirectories(tmp.resolve("archived"));
        Recordings.ready(dir, "big-503", 2000);
        Path log = startFork(server.endpoint(), dir);
        // three 503s in a row, each answered with 30 MB, each dropped: the service is alive and tells why
        await().atMost(WAIT).until(() -> server.written.stream().filter(c -> c[0] >= 0).count() >= 3);
        assertEveryConnectionDroppedEarly();
        await().atMost(WAIT).until(() -> Files.readString(log).contains("big-503: upload failed: HTTP 503"));
        assertThat(fork.isAlive()).isTrue();
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
        assertThat(new RecordingFiles(dir, "big-503").marker()).exists();
    }

    @Test
    void anEndlessChunkedTwoHundredIsASuccessReadAt64KiB() throws Exception {
        server = new Answerer(true);
        Path dir = Files.createDirectories(tmp.resolve("archived"));
        Recordings.ready(dir, "endless-200", 2000);
        Path log = startFork(server.endpoint(), dir);
        await().atMost(WAIT).until(() -> Files.notExists(new RecordingFiles(dir, "endless-200").marker()));
        await().atMost(WAIT).until(() -> server.written.stream().allMatch(c -> c[0] >= 0));
        assertEveryConnectionDroppedEarly();
        assertThat(fork.isAlive()).isTrue();
        assertThat(Files.readString(log)).contains("uploaded endless-200: ").doesNotContain("OutOfMemoryError");
    }
}
