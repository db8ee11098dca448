package org.b3lb.node.migrate;

import java.nio.file.Path;

/**
 * The tree migrate works in: {@code /} on a node, a test's directory with {@code --root}. Every
 * absolute path the old scripts name (their files, their config values) is read through
 * {@link #at}, and only on {@code /} does migrate talk to systemd and nginx.
 */
record NodeRoot(Path dir) {

    static final NodeRoot SYSTEM = new NodeRoot(Path.of("/"));

    NodeRoot {
        dir = dir.toAbsolutePath().normalize();
    }

    /** @param absolute a path as the node knows it, e.g. /etc/b3lb/push.properties; //etc too stays under the root */
    Path at(String absolute) {
        return dir.resolve(absolute.replaceFirst("^/+", "")).normalize();
    }

    boolean live() {
        return dir.equals(Path.of("/"));
    }

    /** The path as the node knows it, for messages: /etc/... also under --root. */
    String shown(Path p) {
        if (live()) {
            return p.toString();
        }
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(dir) ? "/" + dir.relativize(abs) : abs.toString();
    }
}
