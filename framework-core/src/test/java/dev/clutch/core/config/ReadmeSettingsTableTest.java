package dev.clutch.core.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README documents every key exactly as it is declared. */
class ReadmeSettingsTableTest {

    @Test
    void readmeListsEveryDeclaredKeyWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String table = SettingsTable.markdown();
        assertTrue(readme.contains(table), "README.md's configuration table is out of date; replace it with:\n\n"
                + table);
    }
}
