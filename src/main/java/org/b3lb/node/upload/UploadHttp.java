package org.b3lb.node.upload;

import java.io.IOException;
import java.net.Socket;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.util.function.Suppliers;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * How the route's camel-http endpoint talks: a pool of quiet connections owned by the
 * {@code HttpComponent}, and a request interceptor adding {@code X-Node-Secret} on the way to the
 * socket, so the secret never enters an exchange, a header, an endpoint URI, the tracer or JMX.
 */
final class UploadHttp implements HttpClientConfigurer {

    static final String SECRET_HEADER = "X-Node-Secret";
    /** Like curl: above this, ask the server first, so a wrong secret does not cost a 4 GiB transfer. */
    static final long EXPECT_CONTINUE_ABOVE = 1L << 20;

    private final UploadConfig config;
    private final Supplier<String> secret;
    private final OnFirstUse tls = new OnFirstUse();

    UploadHttp(UploadConfig config, Supplier<String> secret) {
        this.config = config;
        this.secret = secret;
    }

    /** On the component: camel-http's endpoint closes a manager of its own when it stops, so a re-added route would find it shut. */
    void giveConnectionsTo(CamelContext context) {
        Timeout idle = Timeout.of(config.idleTimeout());
        context.getComponent(config.endpoint().getScheme(), HttpComponent.class).setClientConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                        .setConnectionFactory(new QuietConnectionFactory())
                        .setTlsSocketStrategy(tls)
                        .setMaxConnTotal(config.concurrency())
                        .setMaxConnPerRoute(config.concurrency())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(config.connectTimeout()))
                                .setSocketTimeout(idle)
                                .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                                .setTimeToLive(TimeValue.ofMinutes(10))
                                .build())
                        .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(idle).setTcpNoDelay(true).build())
                        .build());
    }

    /** Whether an https connection has been made yet (and with it the TLS context). */
    boolean tlsMade() {
        return tls.made;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries() // retries are the route's business: it knows the backoff
                .disableRedirectHandling() // a redirected POST would lose its body; tell the admin instead
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .evictIdleConnections(TimeValue.ofMinutes(1))
                // a server that never answers "100 Continue" gets the body after this wait (httpclient's 3 s), which must
                // stay well inside the idle timeout, or the watchdog aborts the upload for idling before a byte is sent
                .setRequestExecutor(new HttpRequestExecutor(Timeout.ofMilliseconds(Math.min(
                        HttpRequestExecutor.DEFAULT_WAIT_FOR_CONTINUE.toMilliseconds(), config.idleTimeout().toMillis() / 3)), null, null))
                .addExecInterceptorFirst("b3lb-bounded-answers", new BoundedAnswers())
                .addRequestInterceptorLast((request, entity, context) -> {
                    if (context.getAttribute(BoundedAnswers.NO_EXPECT) != null) {
                        request.removeHeaders("Expect");
                    } else if (entity != null && entity.getContentLength() > EXPECT_CONTINUE_ABOVE) {
                        request.setHeader("Expect", "100-continue");
                    }
                    String s = secret.get();
                    if (!s.isEmpty()) { // b3lb.protocol=b3lb needs none
                        request.setHeader(new SecretHeader(s));
                    }
                });
    }

    /**
     * httpclient5's default TLS, made by the first https connection instead of at start-up: an http
     * endpoint never pays its ~5 MiB of heap and metaspace (docs/benchmarks.md).
     */
    static final class OnFirstUse implements TlsSocketStrategy {

        private volatile boolean made;
        private final Supplier<TlsSocketStrategy> tls = Suppliers.memorize(() -> {
            TlsSocketStrategy t = DefaultClientTlsStrategy.createDefault();
            made = true;
            return t;
        });

        @Override
        public SSLSocket upgrade(Socket socket, String target, int port, Object attachment, HttpContext context) throws IOException {
            return tls.get().upgrade(socket, target, port, attachment, context);
        }
    }

    /** Defence in depth: should anything print this header, it shows no value. */
    private static final class SecretHeader extends BasicHeader {
        SecretHeader(String secret) {
            super(SECRET_HEADER, secret, true);
        }

        @Override
        public String toString() {
            return SECRET_HEADER + ": (hidden)";
        }
    }
}
