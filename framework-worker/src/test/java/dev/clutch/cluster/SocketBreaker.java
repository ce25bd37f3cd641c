package dev.clutch.cluster;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Breaks one Unix socket of a live process from outside, as a failed write or a bug on its side would: finds it
 * with ss(8), takes a copy of it with {@code pidfd_getfd(2)} (python3) and shuts the copy down, which ends the
 * connection for both ends. Needs ptrace rights on the process (an ancestor of it, or root).
 */
final class SocketBreaker {

    /** {@code u_str ESTAB <recv-q> <send-q> ... users:(("java",pid=<pid>,fd=<fd>))}. */
    private static final Pattern SOCKET = Pattern.compile("^u_str\\s+\\S+\\s+(\\d+)\\s+\\d+.*pid=(\\d+),fd=(\\d+)\\)");
    private static final String SHUT_DOWN = String.join("\n",
            "import ctypes, os, socket, sys",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "pidfd = os.pidfd_open(int(sys.argv[1]))",
            "fd = libc.syscall(438, pidfd, int(sys.argv[2]), 0)",
            "if fd < 0: print('pidfd_getfd: errno %d' % ctypes.get_errno()); sys.exit(3)",
            "socket.socket(fileno=fd).shutdown(socket.SHUT_RDWR)");

    private SocketBreaker() {
    }

    static boolean available() {
        try {
            return ShortCommand.run(List.of("ss", "-V")).exitCode() == 0
                    && ShortCommand.run(List.of("python3", "-c", "import os; os.pidfd_open")).exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The fd of the process's Unix stream socket with bytes waiting to be read; -1 if none. */
    static int socketWithBytesWaiting(long pid) throws IOException {
        ShortCommand listed = ShortCommand.run(List.of("ss", "-xpn"));
        for (String line : listed.output().split("\n")) {
            Matcher socket = SOCKET.matcher(line);
            if (socket.find() && Long.parseLong(socket.group(2)) == pid && Integer.parseInt(socket.group(1)) > 0) {
                return Integer.parseInt(socket.group(3));
            }
        }
        return -1;
    }

    static void shutDown(long pid, int fd) throws IOException {
        ShortCommand shut = ShortCommand.run(List.of("python3", "-c", SHUT_DOWN, Long.toString(pid), Integer.toString(fd)));
        // No right to take another process's descriptor here (no ptrace rights, an old kernel): nothing to test with.
        Assumptions.assumeTrue(shut.exitCode() != 3, shut.output());
        if (shut.exitCode() != 0) {
            throw new IOException("could not shut down fd " + fd + " of pid " + pid + ": " + shut.output());
        }
    }
}
