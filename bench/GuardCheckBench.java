import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.main.Main;
import org.b3lb.node.app.NodeService;
import org.b3lb.node.cleanup.CleanupConfig;
import org.b3lb.node.cleanup.DiskGuard;
import org.b3lb.node.cleanup.RecordingRemover;
import org.b3lb.node.config.Settings;

/**
 * CPU cost of an idle disk-guard check (free space above target), run by bench/guard-check.sh.
 * Part A calls DiskGuard.check() N times on the calling thread and reads that thread's CPU time;
 * references in the same run: one stat of the directory per iteration, and one listing of the
 * directory (what a check would cost if it read it). Part B starts the whole service in-process
 * with guard-interval=100ms and divides the CPU time of the threads that fire the route (its timer;
 * Quartz before) by its exchanges.
 */
public class GuardCheckBench {

    static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int serviceSeconds = Integer.parseInt(args[2]);
        int ports = Integer.parseInt(args[3]);
        int entries;
        try (var s = Files.list(dir)) {
            entries = (int) s.count();
        }
        CleanupConfig config = CleanupConfig.from(Settings.load(null, Map.of(), Map.of("b3lb.recording-dir", dir.toString(),
                "b3lb.cleaner.min-free", "1K")));
        DiskGuard guard = new DiskGuard(config, new RecordingRemover(config), false,
                new SimpleMeterRegistry(), line -> { });

        for (int i = 0; i < n / 5; i++) { // warm-up: JIT
            guard.check();
            Files.readAttributes(dir, BasicFileAttributes.class);
        }
        long c0 = CPU.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        long sink = 0;
        DiskGuard.Check last = null;
        for (int i = 0; i < n; i++) {
            last = guard.check();
            sink += last.freeBytes();
        }
        double checkCpu = (CPU.getCurrentThreadCpuTime() - c0) / 1e3 / n;
        double checkWall = (System.nanoTime() - w0) / 1e3 / n;
        if (last.deleted() != 0 || last.unmet()) {
            throw new IllegalStateException("the guard was not idle: " + last);
        }

        c0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            sink += Files.readAttributes(dir, BasicFileAttributes.class).size();
        }
        double statCpu = (CPU.getCurrentThreadCpuTime() - c0) / 1e3 / n;

        int lists = 20;
        c0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < lists; i++) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path p : s) {
                    sink += p.toString().length();
                }
            }
        }
        double listCpu = (CPU.getCurrentThreadCpuTime() - c0) / 1e3 / lists;

        System.out.printf(Locale.ROOT, "A  DiskGuard.check() above target, %d calls: %.2f us CPU, %.2f us wall per check%n",
                n, checkCpu, checkWall);
        System.out.printf(Locale.ROOT, "   reference: one stat of the directory: %.2f us CPU (check/stat %.1fx)%n", statCpu,
                checkCpu / statCpu);
        System.out.printf(Locale.ROOT, "   reference: one listing of the %d entries: %.0f us CPU (listing/check %.0fx)%n", entries,
                listCpu, listCpu / checkCpu);

        if (serviceSeconds > 0) {
            service(dir, serviceSeconds, ports);
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    /** The whole service, guard every 100 ms; the CPU of the threads that fire the route (timer or Quartz), per fire. */
    static void service(Path dir, int seconds, int ports) throws Exception {
        Settings s = Settings.load(null, Map.of(), Map.of("b3lb.recording-dir", dir.toString(),
                "b3lb.routes-dir", System.getProperty("routes", Path.of("routes").toAbsolutePath().toString()), "b3lb.upload.enabled", "false",
                "b3lb.load.port", Integer.toString(ports), "b3lb.management.port", Integer.toString(ports + 1),
                "b3lb.cleaner.min-free", "1K", "b3lb.cleaner.guard-interval", "100ms"));
        Main main = NodeService.create(s);
        main.start();
        try {
            Thread.sleep(5000); // warm-up
            var route = main.getCamelContext().getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                    .getManagedRoute("disk-guard");
            long e0 = route.getExchangesTotal();
            long cpu = windowCpu(seconds);
            long fires = route.getExchangesTotal() - e0;
            // reference in the same run: the same threads over the same time with the route stopped
            main.getCamelContext().getRouteController().stopRoute("disk-guard");
            long idle = windowCpu(seconds);
            System.out.printf(Locale.ROOT, "B  service, disk-guard route every 100 ms for %d s: %d fires; CPU of the timer and Quartz"
                    + " threads %.1f ms, with the route stopped %.1f ms: %.1f us CPU per fire (trigger, Camel exchange,"
                    + " route policy metrics, check)%n", seconds, fires, cpu / 1e6, idle / 1e6, (cpu - idle) / 1e3 / fires);
        } finally {
            main.stop();
        }
    }

    static long windowCpu(int seconds) throws InterruptedException {
        Map<Long, Long> before = firingCpu();
        Thread.sleep(seconds * 1000L);
        Map<Long, Long> after = firingCpu();
        long cpu = 0;
        for (var e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            cpu += d;
            if (System.getenv("BENCH_THREADS") != null) {
                System.out.printf(Locale.ROOT, "   thread %s: %.1f ms%n", CPU.getThreadInfo(e.getKey()).getThreadName(), d / 1e6);
            }
        }
        return cpu;
    }

    static Map<Long, Long> firingCpu() {
        Map<Long, Long> m = new java.util.HashMap<>();
        for (ThreadInfo t : CPU.getThreadInfo(CPU.getAllThreadIds())) {
            if (t != null && (t.getThreadName().contains("Quartz") || t.getThreadName().contains("_Worker-") || t.getThreadName().contains("timer://"))) {
                m.put(t.getThreadId(), CPU.getThreadCpuTime(t.getThreadId()));
            }
        }
        return m;
    }
}
