package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.ServiceStatus;
import org.b3lb.node.testing.RunningNode;
import org.b3lb.node.testing.Schedules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk-guard route inside the whole service, on a real 4 MiB tmpfs, checking every 200 ms. */
class DiskGuardRouteTest {

    static final int SIZE = 400 * 1024;
    static final Duration FEW_SECONDS = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @Test
    void theRunningGuardFreesTheOldestUploadsAndCanBeStoppedOverJmx() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("fs"), "4m");
                RunningNode node = RunningNode.builder(fs.dir)
                        .with("b3lb.cleaner.min-free", "1M")
                        .with("b3lb.cleaner.guard-interval", "200ms")
                        .start()) {
            Path dir = fs.dir;
            assertThat(node.context().getRouteController().getRouteStatus("disk-guard")).isEqualTo(ServiceStatus.Started);
            assertThat(Schedules.timerThread("disk-guard")).isTrue();
            Fixture.file(dir, "pending.tar", Duration.ofDays(30), SIZE);
            Fixture.file(dir, "pending.ready", Duration.ofDays(30), 0);
            // 3.6 MiB of recordings on 4 MiB: the two oldest uploads must go to get 1 MiB back
            for (int age = 8; age >= 1; age--) {
                Fixture.uploaded(dir, "up-" + age + ".tar", Duration.ofDays(age), SIZE);
            }

            await().atMost(FEW_SECONDS).until(() -> Files.notExists(dir.resolve("up-7.tar")));
            assertThat(dir.resolve("up-8.tar")).doesNotExist();
            for (int age = 1; age <= 6; age++) {
                assertThat(dir.resolve("up-" + age + ".tar")).exists();
            }
            assertThat(dir.resolve("pending.tar")).exists();
            String metrics = node.management("/observe/metrics").body();
            assertThat(metrics).contains("b3lb_disk_guard_deleted_total 2.0").contains("b3lb_disk_guard_unmet 0.0")
                    .contains("b3lb_disk_guard_target_bytes " + (double) (1 << 20))
                    .containsPattern("(?m)^b3lb_disk_free_bytes [1-9]")
                    .containsPattern("(?m)^camel_exchanges_total\\{.*routeId=\"disk-guard\".*\\} [1-9]");

            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = jmx.queryNames(new ObjectName("org.apache.camel:type=routes,name=\"disk-guard\",*"), null);
            assertThat(names).hasSize(1);
            ObjectName guard = names.iterator().next();
            jmx.invoke(guard, "stop", null, null);
            assertThat(jmx.getAttribute(guard, "State")).isEqualTo("Stopped");
            await().atMost(FEW_SECONDS).until(() -> !Schedules.timerThread("disk-guard"));
            Fixture.uploaded(dir, "up-9.tar", Duration.ofDays(9), SIZE); // below target again
            // ten intervals without a deletion: the stopped route checks nothing
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> Files.exists(dir.resolve("up-9.tar")));
            jmx.invoke(guard, "start", null, null);
            await().atMost(FEW_SECONDS).until(() -> Files.notExists(dir.resolve("up-9.tar")));
        }
    }

    @Test
    void withoutMinFreeTheRouteStaysStoppedAndFreeSpaceIsStillExported() throws Exception {
        try (RunningNode node = RunningNode.builder(tmp.resolve("archived")).start()) {
            assertThat(node.context().getRouteController().getRouteStatus("disk-guard")).isEqualTo(ServiceStatus.Stopped);
            assertThat(node.context().getRouteController().getRouteStatus("cleanup")).isEqualTo(ServiceStatus.Started);
            // and nothing wakes up for it: no timer, no Quartz trigger firing to find no consumer
            assertThat(Schedules.timerThread("disk-guard")).isFalse();
            assertThat(Schedules.quartzTrigger(node.context(), "disk-guard")).isFalse();
            assertThat(Schedules.quartzTrigger(node.context(), "cleanup")).isTrue();
            String metrics = node.management("/observe/metrics").body();
            assertThat(metrics).containsPattern("(?m)^b3lb_disk_free_bytes [1-9]").contains("b3lb_disk_guard_target_bytes 0.0");
        }
    }
}
