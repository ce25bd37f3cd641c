package dev.clutch.core.child;

import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.Messenger;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.plugin.PluginSet;
import dev.clutch.core.spi.ChildContext;

/**
 * What a {@link ChildContext} holds, the same for a child process and for single-process mode; subclasses say how
 * messages reach the master.
 */
public abstract class ProcessContext implements ChildContext {

    /** The parts every role runtime gets. */
    public record Parts(ClutchApplication application, PluginSet plugins, ClutchConfig config, ProcessLabel label,
                        IpcTransport transport, PayloadCodec payloads, Messenger messenger) {
    }

    private final Parts parts;

    protected ProcessContext(Parts parts) {
        this.parts = parts;
    }

    @Override
    public ClutchApplication application() {
        return parts.application();
    }

    @Override
    public PluginSet plugins() {
        return parts.plugins();
    }

    @Override
    public ClutchConfig config() {
        return parts.config();
    }

    @Override
    public ProcessLabel label() {
        return parts.label();
    }

    @Override
    public IpcTransport transport() {
        return parts.transport();
    }

    @Override
    public PayloadCodec payloads() {
        return parts.payloads();
    }

    @Override
    public Messenger messenger() {
        return parts.messenger();
    }
}
