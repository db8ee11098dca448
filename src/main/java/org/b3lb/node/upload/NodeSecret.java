package org.b3lb.node.upload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.b3lb.node.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node secret, its file stat'ed before each attempt (and at most every {@link #RECHECK_NANOS}
 * while refused recordings wait) and read again when it changed: a rotated secret needs no restart;
 * an invalid new one is reported once and the previous one kept. Hand-written because
 * camel-file-watch would add a route and an inotify thread for one file read per attempt.
 */
final class NodeSecret implements Supplier<String> {

    private static final Logger LOG = LoggerFactory.getLogger(NodeSecret.class);
    static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Path file;
    private volatile String secret;
    private volatile long generation;
    private volatile long checkedAtNanos;
    private Object seen; // the file's size, mtime and inode at the last read; equal means not rewritten

    /** @param file the secret's file to watch, null when the secret was given inline (nothing to watch) */
    NodeSecret(Path file, String secret) {
        this.file = file;
        this.secret = secret;
        this.checkedAtNanos = System.nanoTime() - RECHECK_NANOS;
    }

    /** The route's secret, also telling its schedule when it changes. */
    static NodeSecret of(UploadConfig config, RecordingSchedule schedule) {
        NodeSecret s = new NodeSecret(config.secretFile(), config.secret());
        schedule.secretGeneration(s::generation);
        return s;
    }

    @Override
    public String get() {
        refresh();
        return secret;
    }

    /** Counts the secret's changes; cheap enough to ask for every waiting marker at every poll. */
    long generation() {
        if (file != null && System.nanoTime() - checkedAtNanos >= RECHECK_NANOS) {
            refresh();
        }
        return generation;
    }

    synchronized void refresh() {
        if (file == null) {
            return;
        }
        checkedAtNanos = System.nanoTime();
        Object now = stamp();
        if (now.equals(seen)) {
            return;
        }
        boolean first = seen == null;
        seen = now;
        String next;
        try {
            next = UploadConfig.secretFileText(file, "watched by the running service");
            String problem = UploadConfig.headerProblem(next);
            if (problem != null) {
                throw new ConfigException("the node secret file " + file + " is not usable: " + problem);
            }
        } catch (ConfigException e) {
            LOG.error("{}; uploads keep using the secret read before", e.getMessage());
            return;
        }
        if (!next.equals(secret)) {
            secret = next;
            generation++;
            LOG.info("the node secret in {} changed: the next upload attempt uses it, and recordings B3LB refused "
                    + "(401/403) are retried at once", file);
        } else if (!first) {
            LOG.debug("{} was rewritten with the same secret", file);
        }
    }

    /** Never the secret: this object sits in the registry's HTTP configurer. */
    @Override
    public String toString() {
        return "node secret" + (file == null ? " (inline)" : " from " + file);
    }

    private Object stamp() {
        try {
            return Files.readAttributes(file, "size,lastModifiedTime,fileKey");
        } catch (IOException | RuntimeException e) {
            return e.getClass().getName();
        }
    }
}
