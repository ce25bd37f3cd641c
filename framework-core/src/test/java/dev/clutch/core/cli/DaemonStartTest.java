package dev.clutch.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What {@code start --daemon} shows of the console when the start failed. */
class DaemonStartTest {

    @Test
    void eachWarningAndErrorWithItsLinesButNoStackFrames() {
        String console = String.join("\n",
                "clutch: cluster starting",
                "2026-12-02 03:22:43.100 INFO  [master:1] [main] Master - launched agent (pid 2)",
                "2026-12-02 03:22:43.200 WARN  [master:1] [main] Clutch - env stagign has no application-stagign.conf",
                "2026-12-02 03:22:43.389 ERROR [agent:2] [main] ChildBoot - agent failed to start: boom",
                "java.lang.IllegalStateException: boom",
                "\tat com.example.App.main(App.java:3)",
                "\t... 12 more",
                "2026-12-02 03:22:43.400 ERROR [master:1] [main] Master - start failed: worker-1 (pid 3) exited with "
                        + "exit code 1 during start; last lines of its stderr:",
                "    | Unrecognized VM option 'UseG1CG'",
                "    | \tat java.base/Thread.run(Thread.java:840)",
                "    | Error: Could not create the Java Virtual Machine.");

        assertEquals(String.join("\n",
                "clutch: cluster starting",
                "2026-12-02 03:22:43.200 WARN  [master:1] [main] Clutch - env stagign has no application-stagign.conf",
                "2026-12-02 03:22:43.389 ERROR [agent:2] [main] ChildBoot - agent failed to start: boom",
                "java.lang.IllegalStateException: boom",
                "2026-12-02 03:22:43.400 ERROR [master:1] [main] Master - start failed: worker-1 (pid 3) exited with "
                        + "exit code 1 during start; last lines of its stderr:",
                "    | Unrecognized VM option 'UseG1CG'",
                "    | Error: Could not create the Java Virtual Machine."), DaemonStart.whatWentWrong(console));
    }

    @Test
    void aConsoleWithoutWarningsOrErrorsIsShownAsItEnds() {
        String console = "Picked up JAVA_TOOL_OPTIONS: -Xfoo\nUnrecognized option: -Xfoo";

        assertEquals(console, DaemonStart.whatWentWrong(console));
    }
}
