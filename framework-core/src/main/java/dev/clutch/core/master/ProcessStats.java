package dev.clutch.core.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory and CPU time of a process, read from Linux's {@code /proc}; -1 where it cannot be read. */
record ProcessStats(long residentBytes, long cpuMillis) {

    /** Clock ticks per second of {@code /proc/<pid>/stat} times; 100 on every Linux Clutch runs on. */
    private static final long TICKS_PER_SECOND = 100;

    static ProcessStats of(long pid) {
        return new ProcessStats(resident(pid), cpu(pid));
    }

    private static long resident(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Gone, or not Linux.
        }
        return -1;
    }

    private static long cpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
