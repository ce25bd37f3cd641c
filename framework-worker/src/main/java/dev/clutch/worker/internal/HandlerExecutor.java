package dev.clutch.worker.internal;

import java.lang.reflect.Method;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where blocking handlers run: a virtual thread per request on JDK 21+, a bounded pool before that. A full pool
 * refuses work (the client gets 503) instead of queueing without limit.
 */
final class HandlerExecutor {

    private HandlerExecutor() {
    }

    static ExecutorService create(int poolThreads) {
        try {
            Method virtual = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) virtual.invoke(null);
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
}
