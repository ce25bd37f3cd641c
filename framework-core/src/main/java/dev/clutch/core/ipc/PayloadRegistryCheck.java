package dev.clutch.core.ipc;

import dev.clutch.core.api.Role;
import dev.clutch.core.message.Hello;

/**
 * The application payload types every child must register alike, checked at hello. In dev mode a rebuild may add
 * or change types: the master cannot load the new classes itself, so the next agent's registry becomes the one
 * the workers after it must match.
 */
public final class PayloadRegistryCheck {

    private volatile String[] expected;
    private volatile boolean adoptNextAgent;

    public PayloadRegistryCheck(String[] expected) {
        this.expected = expected.clone();
    }

    /** After a dev-mode rebuild: the next agent to say hello sets the registry. */
    public void adoptFromNextAgent() {
        adoptNextAgent = true;
    }

    /** {@code null} when {@code hello}'s types are the expected ones; otherwise what differs. */
    String difference(Hello hello) {
        if (adoptNextAgent && hello.role() == Role.AGENT) {
            return null;
        }
        return PayloadTypes.difference(expected, hello.payloadTypes());
    }

    /** {@code hello} was accepted. */
    void accepted(Hello hello) {
        if (adoptNextAgent && hello.role() == Role.AGENT) {
            expected = hello.payloadTypes().clone();
            adoptNextAgent = false;
        }
    }
}
