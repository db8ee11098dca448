package org.b3lb.node.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.RoutesLoader;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's route reload for the YAML routes directory, made safe: Camel removes the running route of
 * a changed file before creating the new one, so a file that parses but makes no valid route (an
 * unknown component, a typo in a step) would leave the node without it, e.g. without the load
 * endpoint. This remembers the last content of each file that loaded and loads it again when a
 * reload fails. Routes defined in Java (upload) are never removed.
 */
final class SafeRouteReload extends RouteWatcherReloadStrategy {

    private static final String SUFFIX = ".camel.yaml";

    private static final Logger LOG = LoggerFactory.getLogger(SafeRouteReload.class);

    private final Path dir;
    private final Map<URI, String> lastGood = new ConcurrentHashMap<>();

    SafeRouteReload(Path dir) {
        super(dir.toString(), false);
        this.dir = dir;
        setPattern("*" + SUFFIX);
        setRemoveAllRoutes(false);
    }

    @Override
    protected void doStart() throws Exception {
        // the files the context started from: they loaded, so they are the first good versions
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).forEach(f -> {
                try {
                    lastGood.put(f.toUri(), Files.readString(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        super.doStart();
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeAllRoutes) {
        try {
            super.onRouteReload(resources, removeAllRoutes);
        } catch (RuntimeException e) {
            // restored first: the line says the routes run as before, so it must be true when read
            restore(resources);
            LOG.error("Route file {} not applied, the routes keep running as before (fix the file and save it again): {}",
                    names(resources), rootMessage(e));
            LOG.debug("Reload failure", e);
            return;
        }
        if (resources != null) {
            for (Resource r : resources) {
                remember(r);
            }
        }
    }

    private void restore(Collection<Resource> resources) {
        if (resources == null) {
            return;
        }
        List<Resource> previous = new ArrayList<>();
        for (Resource r : resources) {
            String content = lastGood.get(r.getURI());
            if (content != null) {
                // same location as the file, so that the next save of the file replaces these routes
                previous.add(ResourceHelper.fromString(r.getLocation(), content));
            }
        }
        if (previous.isEmpty()) {
            return;
        }
        try {
            getCamelContext().getCamelContextExtension().getContextPlugin(RoutesLoader.class)
                    .updateRoutes(previous);
        } catch (Exception e) {
            LOG.error("Could not restore the previous routes of {}: {}; restart the service (systemctl restart b3lb-node)",
                    names(resources), rootMessage(e), e);
        }
    }

    private void remember(Resource r) {
        try (InputStream in = r.getInputStream()) {
            lastGood.put(r.getURI(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the file vanished after loading; its routes run, there is just nothing to restore later
            lastGood.remove(r.getURI());
        }
    }

    private static String names(Collection<Resource> resources) {
        if (resources == null || resources.isEmpty()) {
            return "(none)";
        }
        return String.join(", ", resources.stream().map(Resource::getLocation).toList());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = RouteFileError.root(e);
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().replaceAll("\\s+", " ").trim();
    }
}
