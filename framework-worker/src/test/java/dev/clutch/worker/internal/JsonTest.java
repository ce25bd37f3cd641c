package dev.clutch.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    record Rollout(String name, int percent) {
    }

    @Test
    void nullOrNothingForAPrimitiveIsA400NotZero() {
        for (String body : new String[] {"{\"name\": \"a\", \"percent\": null}", "{\"name\": \"a\"}"}) {
            HttpException refused = assertThrows(HttpException.class,
                    () -> Json.read(body.getBytes(StandardCharsets.UTF_8), Rollout.class));
            assertEquals(400, refused.status());
            assertTrue(refused.getMessage().startsWith("the body is not valid JSON for Rollout (line 1"),
                    refused.getMessage());
            assertTrue(refused.getMessage().endsWith("Cannot map `null` into type `int`"), refused.getMessage());
        }
    }

    @Test
    void anythingAfterTheValueIsA400() {
        String rollout = "{\"name\": \"a\", \"percent\": 1}";
        for (String body : new String[] {rollout + " xyz", rollout + "{}"}) {
            HttpException refused = assertThrows(HttpException.class,
                    () -> Json.read(body.getBytes(StandardCharsets.UTF_8), Rollout.class), body);
            assertEquals(400, refused.status());
            assertTrue(refused.getMessage().startsWith("the body is not valid JSON for Rollout (line 1"),
                    refused.getMessage());
        }
    }
}
