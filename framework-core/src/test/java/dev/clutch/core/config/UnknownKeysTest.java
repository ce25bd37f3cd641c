package dev.clutch.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnknownKeysTest {

    @Test
    void aTypoIsNamedWithWhereItIsAndTheKeyMeant() {
        var config = ConfigFactory.parseString("clutch {\n  workrs = 2\n  http.port = 8080\n"
                + "  plugins.redis.enabled = false\n  plugins.redsi.enabled = true\n  totally.different = 1\n"
                + "  worker.jvmArgs.0 = \"-Xmx1g\"\n}",
                ConfigParseOptions.defaults().setOriginDescription("application.conf"));

        List<String> warnings = UnknownKeys.find(config.withFallback(ClutchSettings.defaults()), List.of("redis"));

        assertEquals(List.of(
                "unknown configuration key clutch.plugins.redsi.enabled (application.conf: 5): Clutch does not read "
                        + "it; did you mean clutch.plugins.redis.enabled?",
                "unknown configuration key clutch.totally.different (application.conf: 6): Clutch does not read it",
                "unknown configuration key clutch.workrs (application.conf: 2): Clutch does not read it; did you "
                        + "mean clutch.workers?"), warnings.stream().sorted().toList());
    }

    @Test
    void distanceCountsEdits() {
        assertEquals(0, UnknownKeys.distance("clutch.workers", "clutch.Workers"));
        assertEquals(1, UnknownKeys.distance("clutch.workrs", "clutch.workers"));
        assertEquals(3, UnknownKeys.distance("kitten", "sitting"));
    }
}
