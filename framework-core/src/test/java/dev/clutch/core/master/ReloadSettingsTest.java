package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.clutch.core.api.Role;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ConfigLoader;
import dev.clutch.core.config.ConfigurationException;
import dev.clutch.core.config.SchedulingPolicy;
import dev.clutch.core.ipc.TokenBook;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload reads the files as they are on disk, not as the master's class loader opened them. */
class ReloadSettingsTest {

    @TempDir
    Path classes;

    private final ChildFactory children = new ChildFactory(new JvmProcessLauncher(), new TokenBook(),
            Path.of("ipc.sock"), ReloadSettingsTest.class, "test", "prod", "{}", SchedulingPolicy.RR, Path.of("logs"),
            Map.of(Role.WORKER, List.of("-Dold=1"), Role.AGENT, List.of("-Dold=1")), ClassDataSharing.off());

    private ReloadSettings startedWith(String applicationConf) throws IOException {
        write(applicationConf);
        ClutchConfig started;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
            started = ClutchConfig.of(ConfigLoader.load(loader, "prod", ConfigFactory.empty(), System.getenv()),
                    "test");
        }
        return new ReloadSettings(started, ConfigFactory.empty(), classes.toString(), children);
    }

    private void write(String applicationConf) throws IOException {
        Files.writeString(classes.resolve("application.conf"), applicationConf);
    }

    @Test
    void unchangedFilesChangeNothing() throws IOException {
        ReloadSettings settings = startedWith("clutch.worker.jvmArgs = [\"-Dold=1\"]");

        assertEquals(new ReloadSettings.Taken(List.of(), null), settings.take(false));
        assertTrue(children.command(Role.WORKER).contains("-Dold=1"));
    }

    @Test
    void eachSettingIsAppliedAsItsKindSays() throws IOException {
        ReloadSettings settings = startedWith("""
                clutch.worker.jvmArgs = ["-Dold=1"]
                clutch.agent.jvmArgs = ["-Dold=1"]
                """);
        write("""
                clutch.worker.jvmArgs = ["-Dnew=2"]
                clutch.agent.jvmArgs = ["-Dnew=2"]
                clutch.worker.maxMemory = 512MiB
                clutch.workers = 3
                """);

        ReloadSettings.Taken taken = settings.take(false);

        List<String> lines = taken.lines();
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("clutch\\.worker\\.jvmArgs = \\[-Dnew=2] \\(.*application\\.conf, line 1\\): "
                + "the new workers take it \\(the old ones had \\[-Dold=1]\\)"), lines.get(0));
        assertTrue(lines.get(1).endsWith(": the agent keeps [-Dold=1] until reload --agent"), lines.get(1));
        assertTrue(lines.get(2).endsWith(": the master applies it now (it had 0)"), lines.get(2));
        assertTrue(lines.get(3).endsWith(": a setting of the master, every process keeps 0 until a stop and a start "
                + "(scale N sets the number of workers now)"), lines.get(3));
        assertEquals(512L << 20, taken.forMaster().maxMemory());
        assertTrue(children.command(Role.WORKER).contains("-Dnew=2"), children.command(Role.WORKER).toString());
        assertTrue(children.command(Role.AGENT).contains("-Dold=1"), children.command(Role.AGENT).toString());

        ReloadSettings.Taken again = settings.take(true);

        assertEquals(2, again.lines().size(), "the workers and the master have theirs already: " + again.lines());
        assertTrue(again.lines().get(0).endsWith(": the new agent takes it (the old one had [-Dold=1])"),
                again.lines().get(0));
        assertTrue(again.lines().get(1).contains("clutch.workers = 3"), again.lines().get(1));
        assertEquals(null, again.forMaster());
        assertTrue(children.command(Role.AGENT).contains("-Dnew=2"), children.command(Role.AGENT).toString());
    }

    @Test
    void theMasterAppliesItsOwnSettingsAloneAndKeepsThoseEveryProcessKeeps() throws IOException {
        ReloadSettings settings = startedWith("clutch.worker.heartbeatInterval = 5s\nclutch.worker.timeout = 30s\n");
        write("""
                clutch.worker.heartbeatInterval = 1s
                clutch.worker.timeout = 3s
                clutch.worker.maxMemory = 512MiB
                """);

        ClutchConfig forMaster = settings.take(false).forMaster();

        assertEquals(512L << 20, forMaster.maxMemory());
        // The workers go on beating every 5 s: a 3 s timeout would take every one of them for hung.
        assertEquals(Duration.ofSeconds(30), forMaster.workerTimeout());
        assertEquals(Duration.ofSeconds(5), forMaster.heartbeatInterval());
    }

    @Test
    void aPluginSwitchThatIsNeitherTrueNorFalseOnDiskIsRefused() throws IOException {
        ReloadSettings settings = startedWith("clutch.worker.jvmArgs = [\"-Dold=1\"]");
        write("clutch.worker.jvmArgs = [\"-Dnew=2\"]\nclutch.plugins.redis.enabled = maybe\n");

        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> settings.take(false));

        assertTrue(refused.getMessage().contains("clutch.plugins.redis.enabled must be true or false (")
                && refused.getMessage().contains("application.conf"), refused.getMessage());
        assertTrue(children.command(Role.WORKER).contains("-Dold=1"), "nothing applied");
    }

    @Test
    void aBrokenFileOnDiskIsRefusedNamingTheFileAndLine() throws IOException {
        ReloadSettings settings = startedWith("clutch.worker.jvmArgs = [\"-Dold=1\"]");
        write("clutch.worker.jvmArgs = [\"-Dnew=2\"]\nclutch.workers = many\n");

        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> settings.take(false));

        assertTrue(refused.getMessage().contains("clutch.workers = many (")
                && refused.getMessage().contains("application.conf, line 2"), refused.getMessage());
        assertTrue(children.command(Role.WORKER).contains("-Dold=1"), "nothing applied");
    }
}
