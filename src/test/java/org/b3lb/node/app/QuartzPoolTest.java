package org.b3lb.node.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.Path;
import org.apache.camel.component.quartz.QuartzComponent;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.Scheduler;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

class QuartzPoolTest {

    static final CountDownLatch FIRED = new CountDownLatch(1);
    static final AtomicReference<String> FIRED_ON = new AtomicReference<>();

    public static final class Once implements Job {
        @Override
        public void execute(org.quartz.JobExecutionContext context) {
            FIRED_ON.set(Thread.currentThread().getName());
            FIRED.countDown();
        }
    }

    @Test
    void quartzRunsAJobOnItAndAnIdlePoolHasNoThread() throws Exception {
        Properties p = new Properties();
        p.put("org.quartz.scheduler.instanceName", "pool-test");
        p.put("org.quartz.threadPool.class", QuartzPool.class.getName());
        p.put("org.quartz.threadPool.threadCount", "1");
        p.put("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        Scheduler s = new StdSchedulerFactory(p).getScheduler();
        try {
            s.start();
            s.scheduleJob(JobBuilder.newJob(Once.class).withIdentity("once").build(),
                    TriggerBuilder.newTrigger().withIdentity("now").startNow().build());
            assertThat(FIRED.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(FIRED_ON.get()).isEqualTo("pool-test_Worker");
        } finally {
            s.shutdown(true);
        }
    }

    @Test
    void aWorkerExistsOnlyOnceAJobCameAndTheSlotIsFreeAgainAfterIt() throws Exception {
        QuartzPool pool = new QuartzPool();
        pool.setInstanceName("t");
        pool.initialize();
        assertThat(pool.threads()).isZero();
        assertThat(pool.blockForAvailableThreads()).isEqualTo(1);

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        assertThat(pool.runInThread(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })).isTrue();
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.threads()).isEqualTo(1);
        release.countDown();
        // the slot comes back when the job ends: the scheduler thread's wait ends
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.blockForAvailableThreads() == 1);

        pool.shutdown(true);
        assertThat(pool.runInThread(() -> { })).isFalse();
        assertThat(pool.threads()).isZero();
    }

    /** The pool is configured in b3lb/camel.properties, which no compiler checks. */
    @Test
    void theServicesSchedulerRunsOnThisPoolWithOneThread(@TempDir Path dir) throws Exception {
        try (RunningNode node = RunningNode.builder(dir.resolve("archived")).start()) {
            Scheduler s = node.context().getComponent("quartz", QuartzComponent.class).getScheduler();
            assertThat(s.getMetaData().getThreadPoolClass()).isEqualTo(QuartzPool.class);
            assertThat(s.getMetaData().getThreadPoolSize()).isEqualTo(1);
        }
    }
}
