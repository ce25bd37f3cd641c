package dev.clutch.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigMemorySize;
import dev.clutch.core.api.TypedConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigMapperTest {

    enum Mode { FAST, SAFE }

    record Limits(int maxRollout, ConfigMemorySize maxBody) {
        Limits {
            if (maxRollout < 0 || maxRollout > 100) {
                throw new IllegalArgumentException("maxRollout must be 0..100, not " + maxRollout);
            }
        }
    }

    record Flags(String file, Duration staleAfter, boolean audit, Mode mode, List<String> owners,
                 Map<String, Integer> weights, Limits limits, List<Limits> tiers, Optional<String> note,
                 Optional<Duration> grace) {
    }

    @TempDir
    Path dir;

    private Config file(String text) throws Exception {
        Path file = dir.resolve("application.conf");
        Files.writeString(file, text);
        return ConfigFactory.parseFile(file.toFile()).resolve();
    }

    @Test
    void readsEveryComponentByNameAndType() throws Exception {
        Config config = file("""
                flags {
                  file = flags.conf
                  staleAfter = 7d
                  audit = yes
                  mode = safe
                  owners = [ana, bo]
                  weights { a = 1, "b.c" = 2 }
                  limits { maxRollout = 50, maxBody = 1MiB }
                  tiers = [ { maxRollout = 10, maxBody = 1KiB } ]
                  note = hello
                }
                """);

        Flags flags = TypedConfig.read(config, "flags", Flags.class);

        assertEquals(new Flags("flags.conf", Duration.ofDays(7), true, Mode.SAFE, List.of("ana", "bo"),
                Map.of("a", 1, "b.c", 2), new Limits(50, ConfigMemorySize.ofBytes(1 << 20)),
                List.of(new Limits(10, ConfigMemorySize.ofBytes(1024))), Optional.of("hello"), Optional.empty()),
                flags);
    }

    @Test
    void aWrongTypeNamesKeyFileAndLine() throws Exception {
        Config config = file("""
                flags {
                  limits {
                    maxRollout = lots
                    maxBody = 1MiB
                  }
                }
                """);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(config, "flags.limits", Limits.class));

        assertTrue(e.getMessage().matches("bad configuration for Limits: .*application.conf: 3: "
                + "flags.limits.maxRollout has type STRING rather than NUMBER"), e.getMessage());
    }

    @Test
    void aDurationWithoutAUnitIsRefusedNamingKeyFileAndLine() throws Exception {
        Config config = file("flags {\n  file = f\n  staleAfter = 7\n  audit = no\n  mode = safe\n  owners = []\n"
                + "  weights {}\n  limits { maxRollout = 1, maxBody = 1KiB }\n  tiers = []\n}\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(config, "flags", Flags.class));

        assertTrue(e.getMessage().matches("bad configuration for Flags: .*application.conf: 3: .*flags.staleAfter.*"
                + "has no unit, which would make it 7 ms: write the unit, for example \"7s\" or \"7ms\".*"),
                e.getMessage());
    }

    @Test
    void aNegativeDurationWithoutAUnitIsRefusedToo() throws Exception {
        Config config = file("flags {\n  file = f\n  staleAfter = -30\n  audit = no\n  mode = safe\n  owners = []\n"
                + "  weights {}\n  limits { maxRollout = 1, maxBody = 1KiB }\n  tiers = []\n}\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(config, "flags", Flags.class));

        assertTrue(e.getMessage().contains("has no unit, which would make it -30 ms"), e.getMessage());
    }

    @Test
    void aValueTheRecordRefusesNamesTheObjectAndWhy() throws Exception {
        Config config = file("flags {\n  limits { maxRollout = 150, maxBody = 1MiB }\n}\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(config, "flags.limits", Limits.class));

        assertTrue(e.getMessage().contains("application.conf: 2: Invalid value at 'flags.limits': maxRollout must "
                + "be 0..100, not 150"), e.getMessage());
    }

    @Test
    void aRefusedValueSetByASystemPropertySaysSo() throws Exception {
        Config properties = ConfigFactory.parseMap(Map.of("flags.limits.maxRollout", 150), "system properties");
        Config config = properties.withFallback(file("flags {\n  limits { maxRollout = 10, maxBody = 1MiB }\n}\n"))
                .resolve();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(config, "flags.limits", Limits.class));

        assertTrue(e.getMessage().contains("maxRollout must be 0..100, not 150 (maxRollout from system properties, "
                + "maxBody from "), e.getMessage());
        assertTrue(e.getMessage().contains("application.conf, line 2)"), e.getMessage());
    }

    @Test
    void missingKeysAndUnknownEnumValuesAreNamed() throws Exception {
        Config missing = file("limits { maxRollout = 5 }\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(missing, "limits", Limits.class));
        assertTrue(e.getMessage().contains("limits.maxBody"), e.getMessage());

        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(missing, "nothing", Limits.class));
        assertTrue(absent.getMessage().startsWith("configuration key nothing is missing"), absent.getMessage());

        record WithMode(Mode mode) {
        }
        IllegalArgumentException badEnum = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(file("x { mode = turbo }"), "x", WithMode.class));
        assertTrue(badEnum.getMessage().contains("'turbo' is not one of [fast, safe]"), badEnum.getMessage());
    }

    @Test
    void aFractionForAWholeNumberIsRefusedNotCutShort() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TypedConfig.read(
                file("limits { maxRollout = 1.5, maxBody = 1MiB }\n"), "limits", Limits.class));
        assertTrue(e.getMessage().contains("application.conf: 1: Invalid value at 'limits.maxRollout': must be a "
                + "whole number, not 1.5"), e.getMessage());
    }

    @Test
    void aKeyThatIsNearlyAComponentsNameIsATypo() throws Exception {
        record Noted(int size, Optional<String> note) {
        }
        IllegalArgumentException optional = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(file("x { size = 1, nots = hi }\n"), "x", Noted.class));
        assertTrue(optional.getMessage().contains("Invalid value at 'x.nots': is no setting of x (did you mean "
                + "note?)"), optional.getMessage());
        IllegalArgumentException required = assertThrows(IllegalArgumentException.class,
                () -> TypedConfig.read(file("limits { maxRolout = 5, maxBody = 1MiB }\n"), "limits", Limits.class));
        assertTrue(required.getMessage().contains("did you mean maxRollout?"), required.getMessage());
        // A key no component is near is left alone: others may read it from the same object. "mode" is two
        // letters from "note": another setting, not a typo.
        assertEquals(new Noted(1, Optional.empty()), TypedConfig.read(file("x { size = 1, owner = ana, mode = fast }"
                + "\n"), "x", Noted.class));
    }
}
