package dev.clutch.core.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's first configuration of a Clutch process: console only, INFO, lines labelled with role and pid, until
 * {@link LogLayout#install} adds the files. Steps aside when the application has its own logback configuration.
 */
public final class ClutchLogbackConfigurator extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (userConfigurationPresent(getClass().getClassLoader())) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogLayout.applyConsole(context, ProcessLabel.current());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static boolean userConfigurationPresent(ClassLoader classLoader) {
        return System.getProperty("logback.configurationFile") != null
                || classLoader.getResource("logback-test.xml") != null
                || classLoader.getResource("logback.xml") != null;
    }
}
