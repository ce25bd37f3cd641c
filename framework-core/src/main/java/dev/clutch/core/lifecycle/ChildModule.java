package dev.clutch.core.lifecycle;

import com.google.inject.AbstractModule;
import com.typesafe.config.Config;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.Messenger;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.core.spi.ChildContext;

/** What every child's injector provides: the application, its configuration and this process's label. */
public final class ChildModule extends AbstractModule {

    private final ChildContext context;

    public ChildModule(ChildContext context) {
        this.context = context;
    }

    @Override
    protected void configure() {
        bind(ClutchApplication.class).toInstance(context.application());
        bind(ClutchConfig.class).toInstance(context.config());
        bind(Config.class).toInstance(context.config().raw());
        bind(ProcessLabel.class).toInstance(context.label());
        bind(Messenger.class).toInstance(context.messenger());
    }
}
