package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.AvailablePortFinder;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx/b3lb-node-load.nginx in a real nginx, in front of the real service: the way B3LB reaches the
 * load figure. nginx runs on loopback ports with its own prefix, pid and logs in a temp dir.
 */
class NginxSnippetTest {

    static final Path SNIPPET = Path.of("nginx", "b3lb-node-load.nginx").toAbsolutePath();
    static final String PACKAGED_UPSTREAM = "proxy_pass http://127.0.0.1:8765/;";

    @TempDir
    static Path dir;

    static Path nginx;
    static RunningNode node;
    static Process server;
    static int port;
    static boolean ipv6;

    @BeforeAll
    static void start() throws Exception {
        nginx = Tools.require("nginx");
        node = RunningNode.builder(dir.resolve("archived")).start();
        port = AvailablePortFinder.getNextAvailable();
        ipv6 = canBind("::1");

        // the real file with only its upstream port moved to the service started above
        String real = Files.readString(SNIPPET);
        assertThat(real).containsOnlyOnce(PACKAGED_UPSTREAM);
        Path pointed = Files.writeString(dir.resolve("b3lb-load.nginx"),
                real.replace(PACKAGED_UPSTREAM, "proxy_pass http://127.0.0.1:" + node.loadPort() + "/;"));

        Path conf = writeConf("nginx.conf", pointed, port, ipv6);
        server = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            if (!server.isAlive()) {
                throw new AssertionError("nginx exited: " + Files.readString(dir.resolve("nginx.out")));
            }
            return canConnect(port);
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy(); // SIGTERM: nginx's fast shutdown, master and workers
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void nginxAcceptsTheRealSnippetInsideAServerBlock() throws Exception {
        Path conf = writeConf("nginx-t.conf", SNIPPET, AvailablePortFinder.getNextAvailable(), false);
        Tools.Result t = Tools.run(nginx.toString(), "-t", "-p", dir.toString(), "-c", conf.toString());
        assertThat(t.output()).contains("syntax is ok").contains("test is successful");
        assertThat(t.exit()).isZero();
    }

    @Test
    void localhostGetsTheLoadFigureThroughNginx() throws Exception {
        String response = get("127.0.0.1", "127.0.0.1", "/b3lb/load");
        assertThat(statusLine(response)).contains(" 200 ");
        assertThat(body(response)).matches("\\d+\\.\\d{2}\\n");
    }

    @Test
    void ipv6LoopbackIsAllowedToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6, "no IPv6 loopback on this machine");
        String response = get("::1", "::1", "/b3lb/load");
        assertThat(statusLine(response)).contains(" 200 ");
        assertThat(body(response)).matches("\\d+\\.\\d{2}\\n");
    }

    @Test
    void anAddressOffTheAllowlistGets403() throws Exception {
        // 127.0.0.2 is loopback but not 127.0.0.1: neither on the list nor in a private range
        String response = get("127.0.0.2", "127.0.0.1", "/b3lb/load");
        assertThat(statusLine(response)).contains(" 403 ");
        assertThat(body(response)).doesNotContainPattern("\\d+\\.\\d{2}\\n");
    }

    @Test
    void anAllowlistOfOnlyLoopbackRejectsOthersTheSameWay() throws Exception {
        // the real file with its allow lines cut down to 127.0.0.1, on a second nginx
        List<String> lines = Files.readAllLines(SNIPPET);
        assertThat(lines).filteredOn(l -> l.trim().startsWith("allow ")).hasSizeGreaterThan(1);
        StringBuilder variant = new StringBuilder();
        boolean replaced = false;
        for (String l : lines) {
            if (l.trim().startsWith("allow ")) {
                if (!replaced) {
                    variant.append("    allow 127.0.0.1;\n");
                    replaced = true;
                }
                continue;
            }
            variant.append(l.replace(PACKAGED_UPSTREAM, "proxy_pass http://127.0.0.1:" + node.loadPort() + "/;")).append('\n');
        }
        Path onlyLoopback = Files.writeString(dir.resolve("only-loopback.nginx"), variant.toString());
        Path sub = Files.createDirectories(dir.resolve("variant"));
        int variantPort = AvailablePortFinder.getNextAvailable();
        Path conf = writeConf("variant.conf", onlyLoopback, variantPort, false);
        Files.writeString(conf, Files.readString(conf).replace(dir + "/nginx.pid", sub + "/nginx.pid")
                .replace(dir + "/error.log", sub + "/error.log"));
        Process second = new ProcessBuilder(nginx.toString(), "-p", sub.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(sub.resolve("nginx.out").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> second.isAlive() && canConnect(variantPort));
            assertThat(statusLine(get("127.0.0.1", "127.0.0.1", variantPort, "/b3lb/load"))).contains(" 200 ");
            assertThat(statusLine(get("127.0.0.2", "127.0.0.1", variantPort, "/b3lb/load"))).contains(" 403 ");
        } finally {
            second.destroy();
            second.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void oursAnswersWhileB3lbsSnippetIsStillIncludedBesideIt() throws Exception {
        // BBB's nginx includes /etc/bigbluebutton/nginx/*.nginx: ours and B3LB's side by side until
        // migrate retires B3LB's; its file holds a figure no longer updated once b3lb-load is stopped
        Path etc = Files.createDirectories(dir.resolve("both/etc"));
        Path stale = Files.writeString(Files.createDirectories(dir.resolve("both/run-b3lb")).resolve("load"), "4711\n");
        Files.writeString(etc.resolve("b3lb-load.nginx"), "# B3LB - BigBlueButton Load Balancer\n\n"
                + "location /b3lb/load {\n    alias " + stale + ";\n}\n");
        Files.writeString(etc.resolve("b3lb-node-load.nginx"), Files.readString(SNIPPET)
                .replace(PACKAGED_UPSTREAM, "proxy_pass http://127.0.0.1:" + node.loadPort() + "/;"));
        Path sub = Files.createDirectories(dir.resolve("both/prefix"));
        int bothPort = AvailablePortFinder.getNextAvailable();
        Path conf = writeConf("both.conf", etc.resolve("*.nginx"), bothPort, false);
        Files.writeString(conf, Files.readString(conf).replace(dir + "/nginx.pid", sub + "/nginx.pid")
                .replace(dir + "/error.log", sub + "/error.log"));

        Tools.Result t = Tools.run(nginx.toString(), "-t", "-p", sub.toString(), "-c", conf.toString());
        assertThat(t.output()).contains("test is successful");
        assertThat(t.exit()).isZero();
        Process both = new ProcessBuilder(nginx.toString(), "-p", sub.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(sub.resolve("nginx.out").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> both.isAlive() && canConnect(bothPort));
            String response = get("127.0.0.1", "127.0.0.1", bothPort, "/b3lb/load");
            assertThat(statusLine(response)).contains(" 200 ");
            assertThat(body(response)).matches("\\d+\\.\\d{2}\\n").isNotEqualTo("4711\n");
            // B3LB polls with no query, but a query does not change which location matches
            assertThat(body(get("127.0.0.1", "127.0.0.1", bothPort, "/b3lb/load?x"))).matches("\\d+\\.\\d{2}\\n");
        } finally {
            both.destroy();
            both.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void untilTheTakeoverB3lbsOwnFigureAnswersAndNoFrozenOneAfterIt() throws Exception {
        // postinst leaves b3lb-node stopped on a node that runs B3LB's scripts: nothing on our port
        // nginx's workers (not root) must read it, as they read /run/b3lb/load: not below the 0700 temp dir
        Path run = Files.createTempDirectory("run-b3lb", java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(run.resolve("load"), "4711\n");
        Files.setPosixFilePermissions(run.resolve("load"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        int dead = AvailablePortFinder.getNextAvailable();
        Path etc = Files.createDirectories(dir.resolve("fallback/etc"));
        Path snippet = Files.writeString(etc.resolve("b3lb-node-load.nginx"), Files.readString(SNIPPET)
                .replace(PACKAGED_UPSTREAM, "proxy_pass http://127.0.0.1:" + dead + "/;").replace("root /run/b3lb;", "root " + run + ";"));
        Path sub = Files.createDirectories(dir.resolve("fallback/prefix"));
        int fallbackPort = AvailablePortFinder.getNextAvailable();
        Path conf = writeConf("fallback.conf", snippet, fallbackPort, false);
        Files.writeString(conf, Files.readString(conf).replace(dir + "/nginx.pid", sub + "/nginx.pid")
                .replace(dir + "/error.log", sub + "/error.log"));
        Process n = new ProcessBuilder(nginx.toString(), "-p", sub.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(sub.resolve("nginx.out").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> n.isAlive() && canConnect(fallbackPort));
            String before = get("127.0.0.1", "127.0.0.1", fallbackPort, "/b3lb/load");
            assertThat(statusLine(before)).contains(" 200 ");
            assertThat(body(before)).isEqualTo("4711\n");
            // the allowlist still holds for the fallback
            assertThat(statusLine(get("127.0.0.2", "127.0.0.1", fallbackPort, "/b3lb/load"))).contains(" 403 ");
            // migrate removed B3LB's file and b3lb-node is still not up: an honest 502, no stale figure
            Files.delete(run.resolve("load"));
            assertThat(statusLine(get("127.0.0.1", "127.0.0.1", fallbackPort, "/b3lb/load"))).contains(" 502 ");
        } finally {
            Files.deleteIfExists(run.resolve("load"));
            Files.deleteIfExists(run);
            n.destroy();
            n.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Path writeConf(String name, Path snippet, int listenPort, boolean withIpv6) throws IOException {
        // nginx makes its temp dirs itself, but not their parent
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        String conf = """
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 64; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %2$s/body;
                    proxy_temp_path %2$s/proxy;
                    fastcgi_temp_path %2$s/fastcgi;
                    uwsgi_temp_path %2$s/uwsgi;
                    scgi_temp_path %2$s/scgi;
                    server {
                        listen 127.0.0.1:%3$d;
                        %4$s
                        server_name _;
                        root %1$s/html;
                        include %5$s;
                    }
                }
                """.formatted(dir, tmp, listenPort, withIpv6 ? "listen [::1]:" + listenPort + ";" : "", snippet);
        return Files.writeString(dir.resolve(name), conf);
    }

    private static String get(String from, String to, String path) throws IOException {
        return get(from, to, port, path);
    }

    /** One HTTP/1.0 request from a chosen source address, so the allowlist sees that address. */
    private static String get(String from, String to, int toPort, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(to, toPort), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.getInputStream().transferTo(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String statusLine(String response) {
        return response.lines().findFirst().orElse("") + " ";
    }

    private static String body(String response) {
        int i = response.indexOf("\r\n\r\n");
        return i < 0 ? "" : response.substring(i + 4);
    }

    private static boolean canConnect(int p) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", p), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean canBind(String address) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
