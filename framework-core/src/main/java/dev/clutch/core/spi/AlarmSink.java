package dev.clutch.core.spi;

import dev.clutch.core.api.Alarm;

/**
 * Where the master sends alarms: the agent died, a worker hung, reforks hit their limit, a reload was aborted.
 * Clutch always logs them as ERROR (so they reach {@code common-error.log}) and posts them to
 * {@code clutch.alarm.webhook.url} when it is set; further sinks are found through {@link java.util.ServiceLoader}.
 * {@link #raise} is called on the master's thread: hand slow work to another thread.
 */
public interface AlarmSink {

    void raise(Alarm alarm);
}
