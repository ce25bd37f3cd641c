package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.clutch.core.api.testing.ClutchTest;
import dev.clutch.core.api.testing.TestCluster;
import dev.clutch.core.single.SingleProcess;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The test kit's single-process start logs what a cluster's master logs: the plugins, and a warning for a setting
 * nothing reads, so a typo in a test's configuration does not pass unnoticed.
 */
@ClutchTest(value = TestApp.class, config = "clutch.workrs = 3")
// Per class: the instance, and with it the appender below, exists before the extension boots the application.
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestKitSingleProcessStartLogTest {

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(SingleProcess.class);

    TestKitSingleProcessStartLogTest() {
        events.start();
        logger.setLevel(Level.INFO);
        logger.addAppender(events);
    }

    @AfterAll
    void detach() {
        logger.detachAppender(events);
        logger.setLevel(null);
    }

    @Test
    void logsThePluginsAndWarnsAboutAnUnknownKey(TestCluster app) {
        List<String> lines = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("plugins: ")), "the plugins are logged: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("unknown configuration key clutch.workrs")
                && l.contains("did you mean clutch.workers?")), "the typo is named: " + lines);
    }
}
