package org.b3lb.node.app;

import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.dsl.yaml.common.exception.YamlDeserializationException;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * A start-up failure caused by a YAML route file as one line (file, line, reason), exit 2: a restart
 * reads the same file again, and Camel's message spans lines or (for a file of only comments) names no reason.
 */
final class RouteFileError {

    private static final String FIX = "; fix or remove the file, then: systemctl restart b3lb-node";

    private RouteFileError() {
    }

    static Optional<String> describe(Throwable failure, CamelContext camel) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof YamlDeserializationException y && y.getProblemMark().isEmpty() && y.getContextMark().isEmpty()) {
                // thrown for a file whose YAML holds no node at all: empty, or only comments
                String file = y.getMessage().replaceFirst("^.*?resource: ", "").strip();
                return Optional.of("route file " + path(file) + " line 1: holds no route (it is empty or only comments)" + FIX);
            }
            if (t instanceof MarkedYamlEngineException m) {
                Optional<Mark> mark = m.getProblemMark().or(m::getContextMark);
                String where = mark.map(k -> path(k.getName()) + " line " + (k.getLine() + 1) + ", column " + (k.getColumn() + 1))
                        .orElse("(unknown file)");
                String reason = m.getProblem() != null ? m.getProblem() : m.getContext();
                if (m.getProblem() != null && m.getContext() != null) {
                    reason += " (" + m.getContext() + ")";
                }
                return Optional.of("route file " + where + ": " + oneLine(reason) + FIX);
            }
            if (t instanceof FailedToCreateRouteException f && camel instanceof ModelCamelContext model) {
                RouteDefinition route = model.getRouteDefinition(f.getRouteId());
                if (route != null && route.getResource() != null && route.getResource().getLocation().startsWith("file:")) {
                    String line = route.getLineNumber() > 0 ? " line " + route.getLineNumber() : "";
                    return Optional.of("route file " + path(route.getResource().getLocation()) + line + ": route '"
                            + f.getRouteId() + "' cannot be created: " + oneLine(String.valueOf(root(f).getMessage())) + FIX);
                }
            }
        }
        return Optional.empty();
    }

    private static String path(String location) {
        return location.startsWith("file:") ? location.substring(5) : location;
    }

    /** The innermost cause, whose message names what went wrong. */
    static Throwable root(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
