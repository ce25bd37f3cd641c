package dev.clutch.core.ipc;

import dev.clutch.core.api.Role;
import dev.clutch.core.message.Hello;
import java.util.function.LongConsumer;

/**
 * The application payload types every child must register alike, checked at hello. A rebuild (dev mode) or a new
 * build (a reload that starts a new agent) may add or change types: the master cannot load the new classes itself,
 * so the next agent's registry becomes the one the workers after it must match.
 */
public final class PayloadRegistryCheck {

    private volatile String[] expected;
    /** What was expected before the agent adopted from said hello, until that agent is ready or gone. */
    private volatile String[] beforeAdoption;
    private volatile LongConsumer adoptNextAgent;
    /** Every process starts again on rebuilt classes: the first to say hello sets the registry for the others. */
    private volatile boolean adoptFirstHello;

    public PayloadRegistryCheck(String[] expected) {
        this.expected = expected.clone();
    }

    /**
     * The next agent to say hello sets the registry.
     *
     * @param whenDifferent told the agent's pid, on the IPC thread during its hello, when its types are not the ones
     *     expected until then: the processes registered before it run another build
     */
    public void adoptFromNextAgent(LongConsumer whenDifferent) {
        beforeAdoption = null;
        adoptNextAgent = whenDifferent;
    }

    /**
     * The agent adopted from (or about to be) exited before it was ready: the types expected before it are expected
     * again, so that workers of the build that still serves can be replaced.
     */
    public void revertAdoption() {
        adoptNextAgent = null;
        String[] before = beforeAdoption;
        if (before != null) {
            expected = before;
            beforeAdoption = null;
        }
    }

    /**
     * Every process starts again (dev mode's rebuild): the first child to say hello, agent or worker (they start
     * together), sets the registry the others must match.
     */
    public void adoptFromFirstHello() {
        adoptNextAgent = null;
        adoptFirstHello = true;
    }

    /** {@code null} when {@code hello}'s types are the expected ones; otherwise what differs. */
    String difference(Hello hello) {
        if (adoptFirstHello || (adoptNextAgent != null && hello.role() == Role.AGENT)) {
            return null;
        }
        return PayloadTypes.difference(expected, hello.payloadTypes());
    }

    /** {@code hello} was accepted; called on the IPC thread right after its {@link #difference}. */
    void accepted(Hello hello) {
        if (adoptFirstHello) {
            adoptFirstHello = false;
            expected = hello.payloadTypes() == null ? new String[0] : hello.payloadTypes().clone();
            return;
        }
        LongConsumer adopting = adoptNextAgent;
        if (adopting != null && hello.role() == Role.AGENT) {
            adoptNextAgent = null;
            boolean different = PayloadTypes.difference(expected, hello.payloadTypes()) != null;
            beforeAdoption = expected;
            expected = hello.payloadTypes() == null ? new String[0] : hello.payloadTypes().clone();
            if (different) {
                adopting.accept(hello.pid());
            }
        }
    }
}
