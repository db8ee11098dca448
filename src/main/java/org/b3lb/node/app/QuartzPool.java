package org.b3lb.node.app;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.quartz.spi.ThreadPool;

/**
 * Quartz's worker pool on a JDK executor: a worker exists only while a job runs (and a minute after).
 * Hand-written because Quartz's {@code SimpleThreadPool} wakes each idle worker every 500 ms (hard-coded):
 * the busiest thread of an idle node (~20 ms of CPU per 90 s, docs/benchmarks.md). Quartz sets
 * {@code threadCount} from {@code org.quartz.threadPool.threadCount}.
 */
public final class QuartzPool implements ThreadPool {

    private int threadCount = 1;
    private String name = "quartz";
    private Semaphore free;
    private ThreadPoolExecutor workers;

    public void setThreadCount(int threadCount) {
        this.threadCount = threadCount;
    }

    @Override
    public void initialize() {
        if (threadCount < 1) {
            throw new IllegalArgumentException("org.quartz.threadPool.threadCount must be at least 1, not " + threadCount);
        }
        // a worker runs Camel's job with the class loader of the thread that started Quartz
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        free = new Semaphore(threadCount);
        workers = new ThreadPoolExecutor(threadCount, threadCount, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "_Worker");
            t.setDaemon(false);
            t.setContextClassLoader(loader);
            return t;
        });
        workers.allowCoreThreadTimeOut(true);
    }

    /** Like SimpleThreadPool: waits for a free worker; false only once shut down. */
    @Override
    public boolean runInThread(Runnable job) {
        if (workers.isShutdown()) {
            return false;
        }
        free.acquireUninterruptibly();
        try {
            workers.execute(() -> {
                try {
                    job.run();
                } finally {
                    free.release();
                }
            });
            return true;
        } catch (RuntimeException e) { // rejected: shut down meanwhile
            free.release();
            return false;
        }
    }

    @Override
    public int blockForAvailableThreads() {
        free.acquireUninterruptibly();
        free.release();
        return Math.max(1, free.availablePermits());
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
        if (waitForJobsToComplete) {
            workers.shutdown();
            try {
                workers.awaitTermination(Long.MAX_VALUE, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            workers.shutdownNow();
        }
        free.release(threadCount); // a scheduler thread waiting in blockForAvailableThreads gets out
    }

    @Override
    public int getPoolSize() {
        return threadCount;
    }

    /** Threads that exist now: 0 while no job ran for a minute. */
    int threads() {
        return workers.getPoolSize();
    }

    @Override
    public void setInstanceId(String id) {
        // one scheduler per service: the name says enough
    }

    @Override
    public void setInstanceName(String instanceName) {
        this.name = instanceName;
    }
}
