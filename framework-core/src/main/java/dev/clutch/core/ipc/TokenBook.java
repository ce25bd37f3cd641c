package dev.clutch.core.ipc;

import dev.clutch.core.api.Role;
import dev.clutch.core.message.Hello;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one-time tokens the master hands to the children it launches. A token opens one connection of each
 * {@link Hello.ChannelKind} for the role and worker slot it was issued for, then is spent.
 */
public final class TokenBook {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a token was issued for. */
    public record Grant(Role role, int workerId) {
    }

    private record Pending(Grant grant, Set<Hello.ChannelKind> unused) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** Issues a fresh token for a child about to be launched. */
    public String issue(Role role, int workerId, Set<Hello.ChannelKind> channels) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        pending.put(token, new Pending(new Grant(role, workerId), EnumSet.copyOf(channels)));
        return token;
    }

    /**
     * Spends {@code token} for one connection of {@code kind} by the child it was issued to; false, and nothing
     * spent, if the token is unknown, already spent for that kind, or issued to another role or worker slot.
     */
    public boolean redeem(String token, Hello.ChannelKind kind, Role role, int workerId) {
        if (token == null) {
            return false;
        }
        // Look the token up by constant-time comparison, so timing tells nothing about how much of a guess matched.
        byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, Pending> entry : pending.entrySet()) {
            if (MessageDigest.isEqual(entry.getKey().getBytes(StandardCharsets.UTF_8), presented)) {
                Pending p = entry.getValue();
                if (!p.grant().equals(new Grant(role, workerId))) {
                    return false;
                }
                synchronized (p) {
                    if (!p.unused().remove(kind)) {
                        return false;
                    }
                    if (p.unused().isEmpty()) {
                        pending.remove(entry.getKey());
                    }
                }
                return true;
            }
        }
        return false;
    }

    /** Forgets a token whose child is gone, whether it used it or not. */
    public void revoke(String token) {
        pending.remove(token);
    }

    /** How many tokens still open a connection. */
    public int outstanding() {
        return pending.size();
    }
}
