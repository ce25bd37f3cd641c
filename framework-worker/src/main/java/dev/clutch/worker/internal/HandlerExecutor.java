package dev.clutch.worker.internal;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where blocking handlers run: a virtual thread per request on JDK 21+, a bounded pool with a short bounded queue
 * before that. Either way a worker at its limit refuses work (the client gets 503) instead of queueing, or running,
 * without limit: a handler past its request timeout keeps running, and a client could otherwise pile them up. A
 * request that times out while queued is answered 503 and its handler never runs.
 */
final class HandlerExecutor {

    private HandlerExecutor() {
    }

    /**
     * @param poolThreads the pool's size where there are no virtual threads
     * @param maxVirtual virtual threads running handlers at once, at most
     */
    static ExecutorService create(int poolThreads, int maxVirtual) {
        try {
            Method virtual = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return new Bounded((ExecutorService) virtual.invoke(null), maxVirtual);
        } catch (ReflectiveOperationException olderJdk) {
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(poolThreads, poolThreads, 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(poolThreads * 4), r -> {
                        Thread t = new Thread(r, "clutch-handler-" + count.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }

    /** At most {@code max} tasks of {@code delegate} running at once; one more is refused. */
    static final class Bounded extends AbstractExecutorService {
        private final ExecutorService delegate;
        private final Semaphore running;
        private final int max;

        Bounded(ExecutorService delegate, int max) {
            this.delegate = delegate;
            this.running = new Semaphore(max);
            this.max = max;
        }

        @Override
        public void execute(Runnable task) {
            if (!running.tryAcquire()) {
                throw new RejectedExecutionException(max + " handlers are running (clutch.worker.maxBlockingHandlers)");
            }
            try {
                delegate.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        running.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                running.release();
                throw e;
            }
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }
}
