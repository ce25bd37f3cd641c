package dev.clutch.bench;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The floor under push latency on this machine: one hand-off between two JDK threads, nothing else. The sender
 * puts a timestamp in a queue once per millisecond and stays busy meanwhile (as a process doing other work does),
 * so the receiver wakes on the other CPU; the receiver records how long the wake-up took. A message from the agent
 * to a worker's handler makes four such hand-offs.
 *
 * <pre>java bench/src/dev/clutch/bench/HandOffProbe.java [samples]</pre>
 */
public final class HandOffProbe {

    public static void main(String[] args) throws InterruptedException {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int warmUp = 1000;
        BlockingQueue<Long> queue = new LinkedBlockingQueue<>();
        long[] latencies = new long[warmUp + samples];
        Thread receiver = new Thread(() -> {
            try {
                for (int i = 0; i < latencies.length; i++) {
                    long sent = queue.take();
                    latencies[i] = System.nanoTime() - sent;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        receiver.start();
        for (int i = 0; i < latencies.length; i++) {
            queue.put(System.nanoTime());
            long until = System.nanoTime() + 1_000_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
        receiver.join();
        long[] measured = Arrays.copyOfRange(latencies, warmUp, latencies.length);
        Arrays.sort(measured);
        System.out.printf("hand-off between two threads, %d samples 1 ms apart: p50=%dus p99=%dus max=%dus%n",
                samples, measured[samples / 2] / 1000, measured[(int) (samples * 0.99)] / 1000,
                measured[samples - 1] / 1000);
    }
}
