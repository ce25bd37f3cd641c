package dev.clutch.sample.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;

class FlagFileTest {

    @Test
    void aPropertiesFileIsRefusedSayingWhich() {
        ClutchConfig config = ClutchConfig.of(ConfigLoader.load(FlagFileTest.class.getClassLoader(), "test",
                ConfigFactory.parseString("clutch.state.file = flags.properties"), System.getenv()), "flags");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new FlagFile(config));

        assertEquals("clutch.state.file = flags.properties: this application keeps each flag as one object "
                + "({enabled, rollout}), which a properties file cannot hold: use a .conf (HOCON) or .json file",
                refused.getMessage());
    }
}
