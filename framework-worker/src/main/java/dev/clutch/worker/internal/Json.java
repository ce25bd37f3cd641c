package dev.clutch.worker.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.clutch.worker.api.HttpException;

/**
 * The worker's JSON mapper: Java time as ISO strings, {@code Optional} as its value or null, unknown properties
 * refused (a typo is a 400, not silence), and values of the type asked for only: {@code 50.9} or {@code "50"} for
 * an {@code int} is a 400, not a silent 50, and so is {@code null} for one, or a record's {@code int} left out: a
 * property that may be left out is an {@code Integer} or an {@code Optional}. One value per body: anything after
 * it is a 400.
 */
final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // {"a":1} xyz is not JSON: two values, or one and garbage, are refused like any other malformed body.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private Json() {
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    static <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw HttpException.badRequest("expected a JSON body");
        }
        T value;
        try {
            value = MAPPER.readValue(body, type);
        } catch (java.io.IOException e) {
            String where = e instanceof JsonProcessingException p && p.getLocation() != null
                    ? " (line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + ")"
                    : "";
            String what = e instanceof JsonProcessingException p && p.getOriginalMessage() != null
                    ? p.getOriginalMessage() : String.valueOf(e.getMessage());
            // Advice to the server's author, not to its client.
            what = what.replaceFirst(" \\(set DeserializationConfig\\..*\\)$", "");
            throw HttpException.badRequest("the body is not valid JSON for " + type.getSimpleName() + where + ": "
                    + what);
        }
        if (value == null) {
            // Valid JSON, but a handler asking for a type would meet a null it never expected.
            throw HttpException.badRequest("the body is JSON null: expected " + type.getSimpleName());
        }
        return value;
    }
}
