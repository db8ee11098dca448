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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.apache.camel.component.http.HttpComponent;
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
        UploadHttp http = upload();
        DefaultCamelContext camel = new DefaultCamelContext();
        http.giveConnectionsTo(camel);
        HttpClientConnectionManager pool = camel.getComponent("http", HttpComponent.class).getClientConnectionManager();
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
    void theRoutesEndpointUsesTheUploadPoolAndCamelHttpBuildsNoPoolOrTlsOfItsOwn() throws Exception {
        UploadHttp http = upload();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            http.giveConnectionsTo(camel);
            HttpClientConnectionManager pool = camel.getComponent("http", HttpComponent.class).getClientConnectionManager();
            camel.start();
            HttpEndpoint e = camel.getEndpoint("http://127.0.0.1:1/upload?httpMethod=POST", HttpEndpoint.class);
            e.start();
            assertThat(e.getClientConnectionManager()).isSameAs(pool);
            assertThat(http.tlsMade()).as("no TLS context before an https connection").isFalse();
        }
    }

    private UploadHttp upload() {
        return new UploadHttp(UploadConfig.from(Settings.load(null, Map.of(), Map.of(
                "b3lb.recording-dir", dir.toString(), "b3lb.upload.endpoint", "http://127.0.0.1:1/upload", "b3lb.upload.secret", "s"))),
                () -> "s");
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
