package dev.clutch.sample;

import com.google.inject.Module;
import dev.clutch.core.api.Clutch;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.PayloadType;
import dev.clutch.sample.agent.FlagAgentModule;
import dev.clutch.sample.worker.FlagRoutesModule;
import java.util.List;

/**
 * The sample application: a feature-flag service. The flags live in a HOCON file that the agent watches and pushes
 * to every worker as shared state; workers serve and evaluate them over HTTP, and send changes to the agent, which
 * writes the file.
 */
public final class FlagsApp implements ClutchApplication {

    public static void main(String[] args) {
        Clutch.run(FlagsApp.class, args);
    }

    @Override
    public List<Module> agentModules() {
        return List.of(new FlagAgentModule());
    }

    @Override
    public List<Module> workerModules() {
        return List.of(new FlagRoutesModule());
    }

    @Override
    public List<PayloadType> payloadTypes() {
        return List.of(PayloadType.of(1001, FlagUpdate.class));
    }
}
