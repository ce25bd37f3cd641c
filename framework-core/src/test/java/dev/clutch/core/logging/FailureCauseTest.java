package dev.clutch.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.inject.CreationException;
import com.google.inject.spi.Message;
import java.io.IOException;
import java.net.BindException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureCauseTest {

    @Test
    void guicesWrapperGivesWayToWhatItWraps() {
        IllegalArgumentException config = new IllegalArgumentException("bad configuration for RolloutSettings: "
                + "application.conf: 3: maxRollout must be 0..100, not 150",
                new IllegalArgumentException("maxRollout must be 0..100, not 150"));
        CreationException guice = new CreationException(List.of(new Message(List.of(), "injector", config)));

        // The configuration error names key, file and line: it is kept, not unwrapped to the record's own refusal.
        assertEquals(config + " (in com.google.inject.CreationException)", FailureCause.describe(guice));
    }

    @Test
    void anExceptionThatAddsContextIsKept() {
        IOException bind = new IOException("cannot serve HTTP on 127.0.0.1:7001: address in use",
                new BindException("Address already in use"));

        assertEquals(bind.toString(), FailureCause.describe(bind));
    }
}
