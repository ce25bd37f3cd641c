package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.testing.ClutchTest;
import dev.clutch.core.api.testing.TestCluster;
import dev.clutch.core.child.ChildMessenger;
import dev.clutch.core.message.ScheduleRun;
import dev.clutch.core.single.SingleProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * What the test kit's single-process start logs: what a cluster's master logs (the plugins, and a warning for a
 * setting nothing reads, so a typo in a test's configuration does not pass unnoticed), and a message that reached
 * no one.
 */
@ClutchTest(value = TestApp.class, config = "clutch.workrs = 3")
// Per class: the instance, and with it the appender below, exists before the extension boots the application.
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestKitSingleProcessLogTest {

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(SingleProcess.class),
            (Logger) LoggerFactory.getLogger(ChildMessenger.class));

    TestKitSingleProcessLogTest() {
        events.start();
        for (Logger logger : loggers) {
            logger.setLevel(Level.INFO);
            logger.addAppender(events);
        }
    }

    @AfterAll
    void detach() {
        for (Logger logger : loggers) {
            logger.detachAppender(events);
            logger.setLevel(null);
        }
    }

    private List<String> lines() {
        return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void logsThePluginsAndWarnsAboutAnUnknownKey(TestCluster app) {
        List<String> lines = lines();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("plugins: ")), "the plugins are logged: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("unknown configuration key clutch.workrs")
                && l.contains("did you mean clutch.workers?")), "the typo is named: " + lines);
    }

    @Test
    void anUndeliverableSendIsLoggedUnlessItsSenderReportsIt(TestCluster app) {
        List<Messenger.Undeliverable> reported = new CopyOnWriteArrayList<>();
        app.messenger().onUndeliverable(reported::add);

        // A schedule's run: the agent's scheduler names it in schedule.log, so no second line here.
        app.messenger().sendTo(1, ScheduleRun.ACTION, null);
        // Any other action, the framework's or the application's, gets its line.
        app.messenger().sendTo(1, ScheduleRun.RESULT_ACTION, null);

        await("both reported").atMost(Duration.ofSeconds(5)).until(() -> reported.size() == 2);
        List<String> undelivered = lines().stream().filter(l -> l.contains("could not be delivered")).toList();
        assertEquals(List.of("message '" + ScheduleRun.RESULT_ACTION + "' could not be delivered: no process of "
                + "this cluster has pid 1"), undelivered);
    }
}
