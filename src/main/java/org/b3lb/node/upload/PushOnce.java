package org.b3lb.node.upload;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.b3lb.node.config.ConfigException;

/**
 * {@code b3lb-node push --once}: every marker present now goes through the same {@code upload}
 * route as in the service (same retries, same success handling), then a summary, then exit 0
 * only if nothing failed. For an admin after fixing the secret, or for a cron-style setup.
 */
public final class PushOnce {

    static final String ENTRY = "direct:push-once";

    private PushOnce() {
    }

    public static int run(UploadConfig config, PrintStream out) throws Exception {
        if (!config.enabled()) {
            throw new ConfigException("push --once: upload is disabled (b3lb.upload.enabled=false); "
                    + "set b3lb.upload.enabled=true to push recordings");
        }
        List<Path> markers = markers(config.recordingDir());
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        try (DefaultCamelContext ctx = new DefaultCamelContext()) {
            ctx.getCamelContextExtension().setName("b3lb-node-push");
            ctx.disableJMX();
            ctx.setStartupSummaryLevel(StartupSummaryLevel.Off);
            ctx.addRoutes(new UploadRoute(config, new UploadMetrics(new SimpleMeterRegistry(), config.recordingDir()), ENTRY));
            ctx.start();
            Producer producer = ctx.getEndpoint(ENTRY).createProducer();
            producer.start();
            AsyncProcessor send = AsyncProcessorConverterHelper.convert(producer);
            CountDownLatch done = new CountDownLatch(markers.size());
            for (Path m : markers) {
                Exchange ex = ctx.getEndpoint(ENTRY).createExchange();
                ex.getIn().setBody(m.toFile());
                send.process(ex, sync -> {
                    String outcome = ex.getProperty(UploadAttempt.OUTCOME, "failed", String.class);
                    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    done.countDown();
                });
            }
            done.await();
            producer.stop();
        }
        int failed = count(outcomes, "failed");
        out.println("uploaded " + count(outcomes, "success") + ", failed " + failed + ", missing tar " + count(outcomes, "missing_tar"));
        return failed == 0 ? 0 : 1;
    }

    private static int count(Map<String, AtomicInteger> outcomes, String key) {
        AtomicInteger n = outcomes.get(key);
        return n == null ? 0 : n.get();
    }

    /** Oldest first, like the service's poll. */
    static List<Path> markers(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("recording directory " + dir + " does not exist (b3lb.recording-dir); "
                    + "check the setting or create it");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + Recording.MARKER_SUFFIX)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals(Recording.MARKER_SUFFIX)) {
                    found.add(p.toAbsolutePath());
                }
            }
        }
        found.sort(Comparator.comparingLong(PushOnce::mtime));
        return found;
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
