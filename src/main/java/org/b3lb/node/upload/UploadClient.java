package org.b3lb.node.upload;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.time.Instant;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * One POST per attempt with httpclient5's classic client, called from a Camel processor rather
 * than through a {@code to("http:...")} endpoint because the upload needs four things the
 * endpoint makes awkward: a body streamed from disk with a known length (our own entity), an
 * idle timeout that also covers a server that stops reading (a watchdog holding the request to
 * cancel it), the secret added to this request only and never to a message header or endpoint
 * URI (both end up in logs and JMX), and one connection pool sized to the route's concurrency.
 */
final class UploadClient implements AutoCloseable {

    static final String SECRET_HEADER = "X-Node-Secret";
    /** Like curl: above this, ask the server first, so a wrong secret does not cost a 4 GiB transfer. */
    static final long EXPECT_CONTINUE_ABOVE = 1L << 20;

    private final UploadConfig config;
    private final PoolingHttpClientConnectionManager pool;
    private final CloseableHttpClient http;
    private final RequestConfig small;
    private final RequestConfig large;
    final UploadWatchdog watchdog;

    UploadClient(UploadConfig config) {
        this.config = config;
        Timeout idle = Timeout.of(config.idleTimeout());
        this.pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setConnectionFactory(new QuietConnectionFactory())
                .setMaxConnTotal(config.concurrency())
                .setMaxConnPerRoute(config.concurrency())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(config.connectTimeout()))
                        .setSocketTimeout(idle)
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .setTimeToLive(TimeValue.ofMinutes(10))
                        .build())
                .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(idle).setTcpNoDelay(true).build())
                .build();
        this.small = RequestConfig.custom().setResponseTimeout(idle).setExpectContinueEnabled(false).build();
        this.large = RequestConfig.copy(small).setExpectContinueEnabled(true).build();
        this.http = HttpClients.custom()
                .setConnectionManager(pool)
                .disableAutomaticRetries() // retries are the route's business: it knows the backoff
                .disableRedirectHandling() // a redirected POST would lose its body; tell the admin instead
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .setUserAgent("b3lb-node")
                .evictIdleConnections(TimeValue.ofMinutes(1))
                .build();
        this.watchdog = new UploadWatchdog(config.idleTimeout());
    }

    /** The answer to one attempt: a 2xx status, or an {@link UploadFailure} saying what to do. */
    int post(Recording r, long size, UploadProgress progress) throws UploadFailure {
        HttpPost post = new HttpPost(config.endpoint());
        post.setConfig(size > EXPECT_CONTINUE_ABOVE ? large : small);
        post.setEntity(MultipartTarEntity.of(r, size, config.field(), progress));
        post.setHeader(new SecretHeader(config.secret()));
        watchdog.watch(progress, post);
        Answer a;
        try {
            a = http.execute(post, response -> {
                progress.touch();
                Header ra = response.getFirstHeader("Retry-After");
                return new Answer(response.getCode(), ra == null ? null : ra.getValue(), snippet(response.getEntity()));
            });
        } catch (IOException e) {
            boolean idle = watchdog.done(progress);
            throw failure(r, e, idle, progress);
        } finally {
            post.removeHeaders(SECRET_HEADER);
            watchdog.done(progress);
        }
        if (FailureClassifier.success(a.status)) {
            return a.status;
        }
        String body = a.body.isEmpty() ? "" : " (server said: " + a.body.replace(config.secret(), "(hidden)") + ")";
        if (FailureClassifier.transientStatus(a.status)) {
            throw new UploadFailure.Transient(r.id(), a.status, FailureClassifier.retryAfter(a.retryAfter, Instant.now()),
                    "HTTP " + a.status + body);
        }
        throw new UploadFailure.Permanent(r.id(), a.status, "HTTP " + a.status + body + ": " + FailureClassifier.hint(a.status));
    }

    private UploadFailure failure(Recording r, IOException e, boolean idle, UploadProgress p) {
        String where = config.endpoint().getHost() + (config.endpoint().getPort() > 0 ? ":" + config.endpoint().getPort() : "");
        if (idle) {
            return new UploadFailure.Transient(r.id(), 0, null, "no progress for " + Sizes.duration(config.idleTimeout())
                    + " after " + Sizes.bytes(p.sent()) + " of " + Sizes.bytes(p.total()) + " (b3lb.upload.idle-timeout): aborted");
        }
        if (e instanceof TarReadException t) {
            if (t.getCause() instanceof AccessDeniedException) {
                return new UploadFailure.Permanent(r.id(), 0, "cannot read " + r.tar() + ": permission denied; "
                        + "let the service's user read the recording directory");
            }
            return new UploadFailure.Transient(r.id(), 0, null, "reading " + r.tar() + " failed: " + t.getCause());
        }
        if (e instanceof ConnectException || e instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
            return new UploadFailure.Transient(r.id(), 0, null, "cannot connect to " + where + ": " + describe(e));
        }
        if (e instanceof SocketTimeoutException) {
            return new UploadFailure.Transient(r.id(), 0, null, "no answer from " + where + " within "
                    + Sizes.duration(config.idleTimeout()) + " (b3lb.upload.idle-timeout)");
        }
        return new UploadFailure.Transient(r.id(), 0, null, "connection to " + where + " failed after "
                + Sizes.bytes(p.sent()) + " of " + Sizes.bytes(p.total()) + ": " + describe(e));
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The first line of an error answer, short: enough to recognise a B3LB or proxy message. */
    private static String snippet(HttpEntity entity) throws IOException {
        if (entity == null) {
            return "";
        }
        try (InputStream in = entity.getContent()) {
            byte[] b = in.readNBytes(200);
            String s = new String(b, StandardCharsets.UTF_8).strip();
            int nl = s.indexOf('\n');
            s = (nl >= 0 ? s.substring(0, nl) : s).replaceAll("\\p{Cntrl}", " ").strip();
            EntityUtils.consume(entity); // read to the end so the connection goes back to the pool
            return s;
        }
    }

    void abortAll() {
        watchdog.abortAll();
    }

    @Override
    public void close() {
        watchdog.close();
        http.close(CloseMode.IMMEDIATE);
        pool.close(CloseMode.IMMEDIATE);
    }

    private record Answer(int status, String retryAfter, String body) {
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
