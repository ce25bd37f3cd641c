package dev.clutch.core.master;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.clutch.core.logging.Plural;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.StateSnapshot;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The master's copy of the shared state for the {@code state} command: a line per key for people, and for tools
 * each key's version, its value as text (what {@code toString} gives) and serialized (which the application's own
 * payload codec reads).
 */
final class StateReport {

    private StateReport() {
    }

    static ControlReply of(StateSnapshot snapshot, Function<byte[], String> describe) {
        StringBuilder text = new StringBuilder("shared state at version " + snapshot.version() + ", "
                + Plural.of(snapshot.keys().length, "key") + "\n");
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int i = 0; i < snapshot.keys().length; i++) {
            String value = describe.apply(snapshot.values()[i]);
            text.append("  ").append(snapshot.keys()[i]).append(" (v").append(snapshot.keyVersions()[i])
                    .append(") = ").append(value).append('\n');
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("key", snapshot.keys()[i]);
            entry.put("version", snapshot.keyVersions()[i]);
            entry.put("text", value);
            entry.put("value", Base64.getEncoder().encodeToString(snapshot.values()[i]));
            entries.add(entry);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", snapshot.version());
        json.put("entries", entries);
        return new ControlReply(true, text.toString(), ConfigValueFactory.fromMap(json)
                .render(ConfigRenderOptions.concise()));
    }
}
