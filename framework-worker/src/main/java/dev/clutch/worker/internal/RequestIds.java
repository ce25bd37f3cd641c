package dev.clutch.worker.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Request ids: the client's {@code X-Request-Id} when it is a sane token, otherwise this worker's pid and a counter,
 * unique across the cluster's workers.
 */
final class RequestIds {

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final String prefix = Long.toString(ProcessHandle.current().pid(), 36) + "-";
    private final AtomicLong counter = new AtomicLong();

    String of(String fromClient) {
        if (fromClient != null && SANE.matcher(fromClient).matches()) {
            return fromClient;
        }
        return prefix + Long.toString(counter.incrementAndGet(), 36);
    }
}
