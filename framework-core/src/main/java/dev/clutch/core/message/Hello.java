package dev.clutch.core.message;

import dev.clutch.core.api.Role;

/**
 * The first frame of every connection to the master: the one-time token from the child's environment proves the
 * child was launched by this master.
 *
 * @param registryDigest {@link MessageRegistry#digest()} of the child, so processes that would read each other's
 *     bytes as different types never talk
 * @param payloadTypes the application's payload types as {@link PayloadCodec#describe()} gives them
 */
public record Hello(String token, Role role, int workerId, long pid, ChannelKind channel, String registryDigest,
                    String[] payloadTypes) {

    /** What a connection carries; messages and file descriptors need separate connections. */
    public enum ChannelKind {
        MESSAGES,
        DESCRIPTORS
    }

    @Override
    public String toString() {
        // Never log the token.
        return "Hello[role=" + role + ", workerId=" + workerId + ", pid=" + pid + ", channel=" + channel + "]";
    }
}
