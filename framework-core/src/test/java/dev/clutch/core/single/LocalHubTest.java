package dev.clutch.core.single;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.Messenger.MessageFailedException;
import dev.clutch.core.message.PayloadCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The single-process hub once it is closed: what its messengers say to a late send. */
class LocalHubTest {

    @Test
    void aSendOrRequestAfterTheStopFailsAsStoppedNotAsBackPressure() throws Exception {
        LocalHub hub = new LocalHub(PayloadCodec.of(List.of(), 1 << 20));
        Messenger agent = hub.agent().messenger();
        hub.close();

        MessageFailedException sent = assertThrows(MessageFailedException.class,
                () -> agent.sendToWorkers("refresh", null));
        assertEquals(MessageFailedException.Reason.STOPPED, sent.reason(), sent.getMessage());
        assertEquals("'refresh' cannot be sent: this process is stopping", sent.getMessage());

        ExecutionException asked = assertThrows(ExecutionException.class, () -> agent.request(
                Messenger.Target.randomWorker(), "ask", null, Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS));
        MessageFailedException failure = assertInstanceOf(MessageFailedException.class, asked.getCause());
        assertEquals(MessageFailedException.Reason.STOPPED, failure.reason(), failure.getMessage());
    }
}
