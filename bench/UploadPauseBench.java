import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.impl.DefaultCamelContext;
import org.b3lb.node.config.Settings;
import org.b3lb.node.upload.PauseRules;
import org.b3lb.node.upload.UploadConfig;
import org.b3lb.node.upload.UploadMetrics;
import org.b3lb.node.upload.UploadPause;
import org.b3lb.node.upload.UploadRoute;

/**
 * The pause's reaction time, run by bench/upload-pause.sh: the real upload route (file consumer,
 * poll gate, camel-http) against a JDK HTTP server that notes when each request arrives, with the
 * load figure scripted (the service reads the load endpoint's sampler the same way). Each cycle,
 * at a random phase of the poll: the figure rises above the threshold while recordings keep
 * arriving (every 100 ms); then, with three recordings waiting, it drops below.
 *   pause:  requests arriving after the rise, and the latest one's delay: uploads whose exchange
 *           passed its check before the rise (the check is the last step before the request);
 *           no poll lists and no queued exchange starts after it;
 *   resume: the first request arrival after the drop, minus the drop, minus the hold.
 */
public class UploadPauseBench {

    static final List<Long> arrivals = new CopyOnWriteArrayList<>();
    static volatile String figure = "1000";

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int cycles = Integer.parseInt(args[1]);
        Duration poll = duration(args[2]);
        Duration hold = duration(args[3]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", ex -> {
            arrivals.add(System.nanoTime());
            try (InputStream in = ex.getRequestBody()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        UploadConfig config = UploadConfig.from(Settings.load(null, Map.of(), Map.of(
                "b3lb.recording-dir", dir.toString(),
                "b3lb.upload.endpoint", "http://127.0.0.1:" + server.getAddress().getPort() + "/b3lb/b/recording/upload",
                "b3lb.upload.secret", "bench", "b3lb.upload.poll-delay", args[2])));
        UploadPause pause = new UploadPause(new PauseRules(new BigDecimal("7000"), hold, null),
                () -> (figure + "\n").getBytes(StandardCharsets.US_ASCII), Clock.systemUTC());
        AtomicInteger n = new AtomicInteger();
        List<Double> pauseMs = new ArrayList<>();
        List<Double> resumeMs = new ArrayList<>();
        List<Long> late = new ArrayList<>();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.disableJMX();
            camel.getPropertiesComponent().addInitialProperty("b3lb.upload.endpoint", config.endpoint().toString());
            camel.addRoutes(new UploadRoute(config, new UploadMetrics(new SimpleMeterRegistry()), pause));
            camel.start();
            for (int c = 0; c < cycles; c++) {
                // running: recordings arrive every 100 ms, for one poll period plus a random phase
                long until = System.nanoTime() + poll.toNanos() + rnd(poll);
                while (System.nanoTime() < until) {
                    recording(dir, n.incrementAndGet());
                    Thread.sleep(100);
                }
                long rise = System.nanoTime();
                figure = "8000";
                // keep feeding for two polls: none of these may start
                long feedUntil = rise + 2 * poll.toNanos() + 500_000_000L;
                while (System.nanoTime() < feedUntil) {
                    recording(dir, n.incrementAndGet());
                    Thread.sleep(100);
                }
                long lastAfterRise = arrivals.stream().filter(t -> t >= rise).mapToLong(t -> t - rise).max().orElse(0);
                late.add(arrivals.stream().filter(t -> t >= rise).count());
                pauseMs.add(lastAfterRise / 1e6);
                for (int i = 0; i < 3; i++) {
                    recording(dir, n.incrementAndGet());
                }
                Thread.sleep(rnd(poll) / 1_000_000);
                long drop = System.nanoTime();
                figure = "6000";
                long first;
                while ((first = arrivals.stream().filter(t -> t >= drop).mapToLong(t -> t).min().orElse(0)) == 0) {
                    Thread.sleep(5);
                }
                resumeMs.add((first - drop - hold.toNanos()) / 1e6);
                System.out.printf(Locale.ROOT, "  cycle %d: %d request(s) arrived after the rise, the last %.1f ms after it;"
                        + " first start %.1f ms after the hold%n", c + 1, late.get(c), pauseMs.get(c), resumeMs.get(c));
            }
        }
        server.stop(0);
        System.out.printf(Locale.ROOT, "P poll-delay %s, hold %s, %d cycles, %d recordings, %d uploads%n", args[2], args[3], cycles,
                n.get(), arrivals.size());
        System.out.println("P pause  (requests arriving after the rise: " + late.stream().mapToLong(Long::longValue).sum()
                + " in all; the latest one's delay after the rise, ms): " + stats(pauseMs));
        System.out.println("P resume (first upload start after the drop, beyond the hold, ms): " + stats(resumeMs));
    }

    /** 500ms, 5s, 1m: the config's units. */
    static Duration duration(String v) {
        return v.endsWith("ms") ? Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)))
                : v.endsWith("m") ? Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)))
                : Duration.ofSeconds(Long.parseLong(v.replace("s", "")));
    }

    static long rnd(Duration poll) {
        return ThreadLocalRandom.current().nextLong(poll.toNanos());
    }

    static void recording(Path dir, int i) throws Exception {
        Files.write(dir.resolve("bench-" + i + ".tar"), new byte[1024]);
        Files.write(dir.resolve("bench-" + i + ".ready"), new byte[0]);
    }

    static String stats(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return String.format(Locale.ROOT, "min %.1f, median %.1f, max %.1f", s.get(0), s.get(s.size() / 2), s.get(s.size() - 1));
    }
}
