package dev.clutch.sample.worker;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Percentage rollouts: a user's bucket (0 to 99) comes from a stable hash of the flag and the user id, so every
 * worker, after any restart, gives the same user the same answer, and raising the rollout only adds users.
 */
final class Rollout {

    private Rollout() {
    }

    static int bucket(String flag, String user) {
        CRC32 crc = new CRC32();
        crc.update((flag + ":" + user).getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % 100);
    }

    static boolean isOn(Flag flag, String user) {
        return flag.enabled() && bucket(flag.name(), user) < flag.rollout();
    }
}
