package org.b3lb.node.app;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.impl.VertxInternal;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.LifecycleStrategySupport;
import org.b3lb.node.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle timeout, connection cap, a quiet 400 for a request without Host or for a GET or HEAD with a
 * body, and a 405 that names the allowed methods, on both HTTP servers (load and management).
 * Hand-written because Camel 4.18's {@code camel.server.*} and {@code camel.management.*} offer none
 * of them and its Vert.x server builds its {@link HttpServerOptions} itself; but it takes the
 * {@link Vertx} from the registry, so one bound there reaches both servers without replacing Camel's.
 *
 * @param idleTimeout    a connection with no traffic this long is closed (slow or abandoned clients)
 * @param maxConnections open connections per server; one more is closed at once, so idle sockets
 *                       cannot exhaust the process's file descriptors
 */
public record HttpLimits(Duration idleTimeout, int maxConnections) {

    private static final Logger LOG = LoggerFactory.getLogger(HttpLimits.class);

    public static HttpLimits from(Settings s) {
        Duration idle = s.duration("b3lb.http.idle-timeout");
        if (idle.compareTo(Duration.ofSeconds(1)) < 0 || idle.compareTo(Duration.ofDays(1)) > 0) {
            throw s.invalid("b3lb.http.idle-timeout", "must be between 1s and 1d, e.g. 30s");
        }
        return new HttpLimits(idle, s.intRange("b3lb.http.max-connections", 1, 100_000));
    }

    /** The Vert.x instance to bind in Camel's registry; the real one is created on first use. */
    public Vertx vertx() {
        return (Vertx) Proxy.newProxyInstance(VertxInternal.class.getClassLoader(), new Class<?>[] {VertxInternal.class},
                new LimitingVertx(this));
    }

    /**
     * Closes the real Vert.x with the Camel context: Camel closes only a Vert.x it created itself;
     * and lets the servers' 405 answers ask the context which methods a path allows.
     */
    public static LifecycleStrategySupport closeWithContext(Vertx proxy) {
        return (LimitingVertx) Proxy.getInvocationHandler(proxy);
    }

    private static final class LimitingVertx extends LifecycleStrategySupport implements InvocationHandler {
        private final HttpLimits limits;
        private Vertx real;
        private volatile CamelContext camel;

        LimitingVertx(HttpLimits limits) {
            this.limits = limits;
        }

        /**
         * One small Vert.x for both servers: otherwise each creates its own with default pools (two
         * event loops per core, a blocked-thread checker ticking every second, 20 workers each). Not a
         * {@link VertxOptions} bound in the registry: each server would still make its own Vert.x of it.
         */
        private synchronized Vertx real() {
            if (real == null) {
                real = Vertx.vertx(new VertxOptions()
                        // the answers are a few bytes: one event loop keeps up with wrk -c50 on loopback
                        .setEventLoopPoolSize(1)
                        // Camel runs each load request on a worker (its routes may block): a few suffice
                        .setWorkerPoolSize(4)
                        .setInternalBlockingPoolSize(2)
                        // a blocked-thread warning within 10 s is soon enough; every tick is CPU an idle node reports as load
                        .setBlockedThreadCheckInterval(10)
                        .setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
            }
            return real;
        }

        @Override
        public void onContextInitializing(CamelContext context) {
            camel = context;
        }

        @Override
        public synchronized void onContextStopped(CamelContext context) {
            if (real != null) {
                real.close();
                real = null;
            }
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "Vert.x with " + limits;
                case "createHttpServer":
                    HttpServerOptions options = args == null || args.length == 0
                            ? new HttpServerOptions() : new HttpServerOptions((HttpServerOptions) args[0]);
                    options.setIdleTimeout((int) limits.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                            // with h2c on, Vert.x creates the connection (and counts it) only after the first
                            // bytes, so silent sockets escaped the cap; nginx and B3LB speak HTTP/1.1 anyway
                            .setHttp2ClearTextEnabled(false);
                    return limited(real().createHttpServer(options));
                default:
                    return call(real(), method, args);
            }
        }

        private HttpServer limited(HttpServer server) {
            AtomicInteger open = new AtomicInteger();
            server.connectionHandler(connection -> {
                connection.closeHandler(v -> open.decrementAndGet());
                if (open.incrementAndGet() > limits.maxConnections()) {
                    LOG.debug("closing a connection from {}: {} open, the limit (b3lb.http.max-connections)",
                            connection.remoteAddress(), limits.maxConnections());
                    connection.close();
                }
            });
            return (HttpServer) Proxy.newProxyInstance(HttpServer.class.getClassLoader(), new Class<?>[] {HttpServer.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                            @SuppressWarnings("unchecked")
                            Handler<HttpServerRequest> routes = (Handler<HttpServerRequest>) args[0];
                            if (routes instanceof Router router) {
                                router.errorHandler(405, this::methodNotAllowed);
                            }
                            server.requestHandler(request -> screened(request, routes));
                            return proxy;
                        }
                        Object result = call(server, method, args);
                        return result == server ? proxy : result;
                    });
        }

        /**
         * Vert.x's router throws (and logs an ERROR with a trace) for an HTTP/1.1 request without
         * Host, and for a GET or HEAD with a form body (it cannot decode one) or a body over
         * {@code camel.server.max-body-size}: every request an outsider sends would be an ERROR.
         * No route here reads the body of a GET or HEAD, so any body there is refused.
         */
        private static void screened(HttpServerRequest request, Handler<HttpServerRequest> routes) {
            if (request.version() == HttpVersion.HTTP_1_1 && !request.headers().contains(HttpHeaders.HOST)) {
                refuse(request, "HTTP/1.1 needs a Host header");
            } else if ((request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) && hasBody(request)) {
                refuse(request, request.method() + " takes no body");
            } else {
                routes.handle(request);
            }
        }

        private static boolean hasBody(HttpServerRequest request) {
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (length != null && !length.strip().equals("0"));
        }

        private static void refuse(HttpServerRequest request, String why) {
            request.handler(ignored -> { }); // read and drop what was sent, so the close does not reset the answer
            request.response().setStatusCode(400).putHeader(HttpHeaders.CONNECTION, "close")
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("Bad Request: " + why + "\n")
                    .onComplete(done -> request.connection().close());
        }

        /**
         * Vert.x 4.5 loses the methods a path allows when its routes sit in a sub-router, as Camel's
         * do, and sends an empty {@code Allow}; the sub-router, looked up by port, still has them.
         */
        private void methodNotAllowed(RoutingContext ctx) {
            HttpServerResponse response = ctx.response().setStatusCode(405);
            String allowed = allowed(ctx.request().path(), ctx.request().localAddress().port());
            if (!allowed.isEmpty()) {
                response.putHeader(HttpHeaders.ALLOW, allowed);
            }
            response.end();
        }

        /** @return the methods of the routes at exactly {@code path} on the server at {@code port}, "" when unknown */
        private String allowed(String path, int port) {
            CamelContext context = camel;
            VertxPlatformHttpRouter router = context == null ? null
                    : VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router == null) {
                return "";
            }
            Set<String> methods = new TreeSet<>();
            for (Route route : router.getRoutes()) {
                if (path.equals(route.getPath()) && !route.isRegexPath() && route.methods() != null) {
                    route.methods().forEach(m -> methods.add(m.name()));
                }
            }
            return String.join(", ", methods);
        }

        private static Object call(Object target, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
