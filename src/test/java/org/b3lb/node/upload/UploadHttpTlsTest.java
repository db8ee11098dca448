package org.b3lb.node.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.b3lb.node.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No TLS context at start-up for the upload's http client: made by the first https connection, still verified. */
class UploadHttpTlsTest {

    @TempDir
    Path dir;

    @Test
    void anHttpUploadMakesNoTlsContextAndAnHttpsOneMakesItAndStillVerifiesTheServer() throws Exception {
        UploadHttp http = new UploadHttp(UploadConfig.from(Settings.load(null, Map.of(), Map.of(
                "b3lb.recording-dir", dir.toString(), "b3lb.upload.endpoint", "http://127.0.0.1:1/upload", "b3lb.upload.secret", "s"))),
                () -> "s");
        HttpClientConnectionManager pool = http.connections();
        assertThat(http.tlsMade()).isFalse();

        HttpServer plain = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        HttpsServer tls = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        tls.setHttpsConfigurator(new HttpsConfigurator(selfSigned()));
        for (HttpServer s : new HttpServer[] {plain, tls}) {
            s.createContext("/", ex -> {
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            s.start();
        }
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(pool).setConnectionManagerShared(true).build()) {
            int status = client.execute(new HttpGet("http://127.0.0.1:" + plain.getAddress().getPort() + "/"), r -> r.getCode());
            assertThat(status).isEqualTo(204);
            assertThat(http.tlsMade()).isFalse();

            // the JDK's trust store decides, as with httpclient5's default: a self-signed server is refused
            assertThatThrownBy(() -> client.execute(new HttpGet("https://localhost:" + tls.getAddress().getPort() + "/"), r -> r.getCode()))
                    .isInstanceOf(SSLHandshakeException.class);
            assertThat(http.tlsMade()).isTrue();
        } finally {
            plain.stop(0);
            tls.stop(0);
        }
    }

    @Test
    void anEndpointWithItsOwnPoolIsGivenItInsteadOfAPoolTheComponentBuilds() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            HttpClientConnectionManager own = new UploadHttp(UploadConfig.from(Settings.load(null, Map.of(), Map.of(
                    "b3lb.recording-dir", dir.toString(), "b3lb.upload.endpoint", "http://127.0.0.1:1/upload", "b3lb.upload.secret", "s"))),
                () -> "s").connections();
            camel.getRegistry().bind("own", own);
            UploadHttpComponent component = new UploadHttpComponent();
            camel.addComponent("http", component);
            camel.start();

            Map<String, Object> withOwn = new HashMap<>(Map.of("clientConnectionManager", "#own"));
            assertThat(component.createConnectionManager(withOwn, null, new HashMap<>())).isSameAs(own);
            HttpClientConnectionManager built = component.createConnectionManager(new HashMap<>(), null, new HashMap<>());
            assertThat(built).isNotNull().isNotSameAs(own);

            HttpEndpoint e = camel.getEndpoint("http://127.0.0.1:1/upload?clientConnectionManager=#own", HttpEndpoint.class);
            assertThat(e.getClientConnectionManager()).isSameAs(own);
            assertThat(camel.getEndpoint("http://127.0.0.1:1/other", HttpEndpoint.class).getClientConnectionManager())
                    .isNotNull().isNotSameAs(own);
        }
    }

    /** A PKCS12 key store made by the JDK's keytool: a key pair for CN=localhost, signed by itself. */
    private SSLContext selfSigned() throws Exception {
        Path store = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
