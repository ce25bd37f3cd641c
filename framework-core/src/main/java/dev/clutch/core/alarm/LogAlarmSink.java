package dev.clutch.core.alarm;

import dev.clutch.core.api.Alarm;
import dev.clutch.core.spi.AlarmSink;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every alarm as an ERROR, so it reaches the master's log, the console and {@code common-error.log}. */
public final class LogAlarmSink implements AlarmSink {

    private static final Logger log = LoggerFactory.getLogger("clutch.alarm");

    @Override
    public void raise(Alarm alarm) {
        String tail = alarm.lastStderrLines().isEmpty() ? ""
                : "; last lines of its stderr:" + alarm.lastStderrLines().stream().map(l -> "\n    | " + l)
                        .collect(Collectors.joining());
        log.error("ALARM {}: {} {}{}", alarm.kind(), alarm.message(), alarm.details(), tail);
    }
}
