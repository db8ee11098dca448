package org.b3lb.node.app;

import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;

/**
 * Answers {@code 503 text/plain} on the load port while Camel is starting or stopping: its HTTP server
 * listens before the {@code load} route exists; Vert.x's HTML 404 in between reads "gone", not "try again".
 * An authentication entry because that is the one hook of Camel's main HTTP server that runs before
 * it listens, in front of every route on the port.
 */
final class StartupGate implements AuthenticationHandler {

    private final CamelContext camel;

    private StartupGate(CamelContext camel) {
        this.camel = camel;
    }

    /** @return false when the context has no main HTTP server (load endpoint disabled) */
    static boolean install(CamelContext camel) {
        MainHttpServer server = camel.hasService(MainHttpServer.class);
        if (server == null) {
            return false;
        }
        StartupGate gate = new StartupGate(camel);
        AuthenticationConfig.AuthenticationConfigEntry entry = new AuthenticationConfig.AuthenticationConfigEntry();
        entry.setPath("/*");
        entry.setAuthenticationProviderFactory(vertx -> null);
        entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
            @Override
            public <T extends AuthenticationProvider> AuthenticationHandler createAuthenticationHandler(T provider) {
                return gate;
            }
        });
        AuthenticationConfig auth = server.getConfiguration().getAuthenticationConfig();
        auth.getEntries().add(entry);
        auth.setEnabled(true);
        return true;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (camel.getStatus().isStarted()) {
            ctx.next();
            return;
        }
        String what = camel.getStatus().isStopping() || camel.getStatus().isStopped() ? "stopping" : "starting";
        ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Retry-After", "1").end("b3lb-node is " + what + "\n");
    }
}
