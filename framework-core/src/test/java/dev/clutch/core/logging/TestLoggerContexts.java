package dev.clutch.core.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;

/** Logback contexts for tests of Clutch's appenders, set up as a worker's would be. */
final class TestLoggerContexts {

    private TestLoggerContexts() {
    }

    /** A context labelled {@code worker-1:42}, with the MDC adapter LoggerFactory's context has and a bare one lacks. */
    static LoggerContext ofWorker() {
        LoggerContext context = new LoggerContext();
        context.putProperty("clutch.process", "worker-1:42");
        context.setMDCAdapter(new LogbackMDCAdapter());
        return context;
    }
}
