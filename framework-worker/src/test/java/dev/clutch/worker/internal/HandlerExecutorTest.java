package dev.clutch.worker.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class HandlerExecutorTest {

    @Test
    void boundedExecutorRefusesPastItsLimitUntilAHandlerReturns() throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        ExecutorService bounded = new HandlerExecutor.Bounded(threads, 2);
        CountDownLatch release = new CountDownLatch(1);
        try {
            bounded.execute(() -> awaitQuietly(release));
            bounded.execute(() -> awaitQuietly(release));

            assertThrows(RejectedExecutionException.class, () -> bounded.execute(() -> { }));

            release.countDown();
            Awaitility.await("a slot is free again").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> {
                        bounded.execute(() -> { });
                        return true;
                    });
        } finally {
            release.countDown();
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
