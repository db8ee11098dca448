package org.b3lb.node.app;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * One small Vert.x for both HTTP servers (load endpoint and management). Camel's platform-http
 * and management servers use a Vert.x found in the registry, but each creates its own with
 * default pools otherwise: two event loops per core, two blocked-thread checkers ticking every
 * second, up to 20 worker threads each. Camel has no option for sharing one, hence this class;
 * a Vert.x from the registry is not closed by Camel, so this closes it after Camel stopped.
 */
final class SharedVertx extends MainListenerSupport {

    /** Camel runs each load request on a worker (its routes may block): a few suffice on a node's cores. */
    static final int WORKERS = 4;

    private Vertx vertx;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        vertx = Vertx.vertx(new VertxOptions()
                // the answers are 6 bytes: one event loop keeps up with wrk -c50 on loopback
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(WORKERS)
                .setInternalBlockingPoolSize(2)
                // a blocked-thread warning within 10 s is soon enough; every tick is CPU an idle node reports as load
                .setBlockedThreadCheckInterval(10)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
        main.getCamelContext().getRegistry().bind("vertx", Vertx.class, vertx);
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (vertx != null) {
            vertx.close();
        }
    }
}
