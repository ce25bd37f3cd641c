package dev.clutch.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.clutch.worker.api.HttpException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonTest {

    record Settings(String name, Optional<String> note, Optional<Integer> limit, Instant at) {
    }

    @Test
    void optionalsAndTimeAreWrittenAsTheirValues() {
        Settings settings = new Settings("a", Optional.of("n"), Optional.empty(), Instant.parse("2026-12-02T05:00:00Z"));
        String json = new String(Json.write(settings), StandardCharsets.UTF_8);
        assertEquals("{\"name\":\"a\",\"note\":\"n\",\"limit\":null,\"at\":\"2026-12-02T05:00:00Z\"}", json);
        assertEquals(settings, Json.read(json.getBytes(StandardCharsets.UTF_8), Settings.class));
    }

    @Test
    void aNullBodyIsA400NotANullForTheHandler() {
        HttpException refused = assertThrows(HttpException.class,
                () -> Json.read("null".getBytes(StandardCharsets.UTF_8), Settings.class));
        assertEquals(400, refused.status());
        assertEquals("the body is JSON null: expected Settings", refused.getMessage());
    }
}
