package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import dev.clutch.core.testing.RawHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two workers share one port under every scheduling policy. */
class SharedPortTest {

    @TempDir
    Path baseDir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rr", "none", "reuseport"})
    void everyRequestOnANewConnectionIsAnsweredAndBothWorkersServe(String policy) throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2)
                .env("CLUTCH_SCHED_POLICY", policy)
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            assertTrue(cluster.output().contains("(" + policy + " policy)"), cluster.output());

            Map<Long, Integer> servedBy = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                RawHttp.Reply reply = RawHttp.get(ready.port(), "/pid");
                assertEquals(200, reply.status(), "request " + i);
                long pid = Long.parseLong(reply.header("X-Clutch-Worker"));
                assertEquals(Long.toString(pid), reply.body(), "the header names the worker that answered");
                servedBy.merge(pid, 1, Integer::sum);
            }

            assertEquals(Set.copyOf(ready.workerPids()), servedBy.keySet(), "both workers served: " + servedBy);
            if (policy.equals("rr")) {
                int a = servedBy.get(ready.workerPids().get(0));
                int b = servedBy.get(ready.workerPids().get(1));
                assertTrue(Math.abs(a - b) <= 2, "rr spreads evenly: " + servedBy);
            }
        }
    }

    @Test
    void anIpv6HostIsServedAndBracketedInTheReadyLine() throws Exception {
        assumeTrue(ipv6Loopback(), "this machine has no IPv6 loopback");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.http.host", "::1")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            assertEquals("[::1]", ready.host());
            assertTrue(cluster.output().contains("listening on http://[::1]:" + ready.port()), cluster.output());
            assertEquals(Long.toString(ready.workerPids().get(0)),
                    Http.get("http://[::1]:" + ready.port() + "/pid").body());
        }
    }

    private static boolean ipv6Loopback() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return probe.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rr", "none", "reuseport"})
    void keepAliveConnectionsKeepWorking(String policy) throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2)
                .env("CLUTCH_SCHED_POLICY", policy)
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));

            Set<String> connections = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> response = Http.get(ready.url("/items/" + i + "?detail=full"));
                assertEquals(200, response.statusCode());
                assertTrue(response.body().contains("\"id\":\"" + i + "\"")
                        && response.body().contains("\"detail\":\"full\""), response.body());
                assertEquals("keep-alive", response.headers().firstValue("connection").orElseThrow());
                connections.add(response.headers().firstValue("X-Clutch-Worker").orElseThrow());
            }
            assertTrue(connections.size() <= 2, "served over kept-alive connections: " + connections);
        }
    }

    @Test
    void withRrAConnectionNoWorkerTakesWithinTheQueueTimeoutGets503FromTheMaster() throws Exception {
        Path hold = Files.createFile(baseDir.resolve("hold"));
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .env("CLUTCH_SCHED_POLICY", "rr")
                .env("TEST_WORKER_HOLD_FILE", hold.toString())
                .property("clutch.http.queueTimeout", "500ms")
                .start()) {
            // The master listens from its start, and names the port it picked then; the one worker is held back.
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.output().contains("launched worker-1"));
            Matcher starting = Pattern.compile("starting .* on http://127\\.0\\.0\\.1:(\\d+) with ")
                    .matcher(cluster.output());
            assertTrue(starting.find(), cluster.output());
            int port = Integer.parseInt(starting.group(1));

            RawHttp.Reply waited = RawHttp.get(port, "/pid");

            assertEquals(503, waited.status(), waited.body());
            assertEquals("1", waited.header("Retry-After"));
            assertTrue(waited.body().contains("clutch.http.queueTimeout"), waited.body());
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.output().contains("answered 503"));
            // A HEAD gets the same answer without its body, as HTTP asks.
            RawHttp.Reply head = RawHttp.send(port, "HEAD /pid HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(503, head.status(), head.body());
            assertEquals("", head.body());
            assertEquals(waited.header("Content-Length"), head.header("Content-Length"));
            // A client that ends its side after its request (nc -N) while it waits gets the answer too, at once:
            // its request was read with the end of its input, and cannot go along with the connection any more.
            RawHttp.Reply halfClosed = RawHttp.send(port, "GET /pid HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII), true);
            assertEquals(503, halfClosed.status(), halfClosed.body());
            assertTrue(halfClosed.body().contains("ended its side"), halfClosed.body());

            Files.delete(hold);
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            assertEquals(port, ready.port(), "the port named at the start is the one served");
            assertEquals(200, RawHttp.get(port, "/pid").status(), "a ready worker serves again");
        }
    }

    /**
     * With {@code rr}, a worker at its limit of open files cannot take a connection the master hands it (the kernel
     * closes it): its log says why and what to do, and it serves again once it has room. The worker's limit is
     * lowered to the descriptors it holds with prlimit(1), as a leak of open files would bring it there.
     */
    @Test
    void aWorkerAtItsLimitOfOpenFilesSaysWhyItLosesHandedOverConnectionsAndServesOnceItHasRoom() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit(1)");
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            long worker = ready.workerPids().get(0);
            assertEquals(200, RawHttp.get(ready.port(), "/pid").status());
            String[] limits = run("/usr/bin/prlimit", "--pid", Long.toString(worker), "--nofile",
                    "--output=SOFT,HARD", "--noheadings").trim().split("\\s+");
            // The lowest descriptor number it does not use: a new one would need that number or a higher one.
            Set<Integer> open = new HashSet<>();
            try (Stream<Path> fds = Files.list(Path.of("/proc/" + worker + "/fd"))) {
                fds.forEach(fd -> open.add(Integer.parseInt(fd.getFileName().toString())));
            }
            int lowestFree = 0;
            while (open.contains(lowestFree)) {
                lowestFree++;
            }
            run("/usr/bin/prlimit", "--pid", Long.toString(worker), "--nofile=" + lowestFree + ":" + limits[1]);
            try {
                try {
                    RawHttp.get(ready.port(), "/pid");
                } catch (IOException expected) {
                    // The kernel closed the connection it could not give the worker.
                }
                await("the worker says why").atMost(Duration.ofSeconds(20)).until(() -> cluster.log("worker-1.log")
                        .contains("a connection the master handed over was lost before this worker could take it"));
                assertTrue(cluster.log("worker-1.log").contains("at its limit of open files (ulimit -n, LimitNOFILE)"));
            } finally {
                run("/usr/bin/prlimit", "--pid", Long.toString(worker), "--nofile=" + limits[0] + ":" + limits[1]);
            }
            assertEquals(200, RawHttp.get(ready.port(), "/pid").status(), "it serves once it has room");

            // The lost one counts as taken: the stop does not wait for the worker to take it, and kill it then.
            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)), cluster.output());
            assertFalse(cluster.output().contains("had not taken"), cluster.output());
        }
    }

    /** Runs a short command, which must succeed; its output. */
    private static String run(String... command) throws IOException {
        ShortCommand ran = ShortCommand.run(List.of(command));
        assertEquals(0, ran.exitCode(), String.join(" ", command) + ": " + ran.output());
        return ran.output();
    }
}
