package dev.clutch.core.master;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Starts child processes; the seam between the master's state machine and the operating system. */
public interface ProcessLauncher {

    /**
     * @param label how the child is named in the master's console, e.g. {@code worker-2}
     * @param command the full command line
     * @param environment variables added to the master's own environment
     * @param logFile the child's log file: what it prints to stdout (a thread dump, say) is appended there too
     */
    ChildProcess launch(String label, List<String> command, Map<String, String> environment, Path logFile)
            throws IOException;
}
