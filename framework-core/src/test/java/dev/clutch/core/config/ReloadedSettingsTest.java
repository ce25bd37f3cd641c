package dev.clutch.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.clutch.core.config.Setting.OnReload;
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

class ReloadedSettingsTest {

    @TempDir
    Path classpath;

    /** The configuration a process reads from application.conf with {@code text}, below {@code flags}. */
    private ClutchConfig withFile(String text, String flags) throws IOException {
        Files.writeString(classpath.resolve("application.conf"), text);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classpath.toUri().toURL()}, null)) {
            return ClutchConfig.of(ConfigLoader.load(loader, "prod", ConfigFactory.parseString(flags), Map.of()),
                    "app");
        }
    }

    @Test
    void eachChangedSettingIsTheRoleThatReadsItOrTheMasters() throws IOException {
        ClutchConfig started = withFile("clutch.http.requestTimeout = 30s", "");
        ClutchConfig onDisk = withFile("""
                clutch.http.requestTimeout = 20s
                clutch.worker.jvmArgs = ${clutch.worker.jvmArgs} ["-Dnew=1"]
                clutch.state.file = state.conf
                clutch.worker.maxMemory = 512MiB
                clutch.logDir = elsewhere
                """, "");

        assertEquals(List.of(ClutchSettings.WORKER_JVM_ARGS, ClutchSettings.HTTP_REQUEST_TIMEOUT),
                ReloadedSettings.changed(OnReload.NEW_WORKERS, started, onDisk));
        assertEquals(List.of(ClutchSettings.STATE_FILE), ReloadedSettings.changed(OnReload.NEW_AGENT, started, onDisk));
        assertEquals(List.of(ClutchSettings.WORKER_MAX_MEMORY), ReloadedSettings.changed(OnReload.MASTER, started,
                onDisk));
        assertEquals(List.of(ClutchSettings.LOG_DIR), ReloadedSettings.changed(OnReload.RESTART, started, onDisk));
        assertEquals("clutch.worker.maxMemory = 512MiB (application.conf, line 4)",
                ReloadedSettings.describe(ClutchSettings.WORKER_MAX_MEMORY, onDisk).replaceAll("\\(.*/", "("));
        assertEquals("30s", ReloadedSettings.value(ClutchSettings.HTTP_REQUEST_TIMEOUT, started));
    }

    @Test
    void theSameValueWrittenAnotherWayIsNoChange() throws IOException {
        ClutchConfig started = withFile("clutch.http.requestTimeout = 30s\nclutch.ipc.maxFrameBytes = 16MiB", "");
        ClutchConfig onDisk = withFile("clutch.http.requestTimeout = 30000ms\nclutch.ipc.maxFrameBytes = 16777216",
                "");

        for (OnReload how : OnReload.values()) {
            assertEquals(List.of(), ReloadedSettings.changed(how, started, onDisk), how.name());
        }
    }

    @Test
    void childrenKeepTheMastersSettingsButReadTheirOwnFromTheFiles() throws IOException {
        ClutchConfig master = withFile("clutch.worker.heartbeatInterval = 5s\nclutch.http.requestTimeout = 30s", "");
        String layer = ReloadedSettings.masterLayer(master).root().render();

        ClutchConfig child = withFile("""
                clutch.worker.heartbeatInterval = 1s
                clutch.logDir = elsewhere
                clutch.http.requestTimeout = 20s
                clutch.worker.jvmArgs = ["-Dnew=1"]
                """, layer);

        assertEquals(Duration.ofSeconds(5), child.heartbeatInterval());
        assertEquals(master.logDir(), child.logDir());
        assertEquals(Duration.ofSeconds(20), child.requestTimeout());
        assertEquals(List.of("-Dnew=1"), child.workerJvmArgs());
        assertFalse(ReloadedSettings.masterLayer(master).hasPath(ClutchSettings.WORKER_JVM_ARGS.key()));
        assertTrue(ReloadedSettings.masterLayer(master).hasPath(ClutchSettings.IPC_MAX_FRAME_BYTES.key()));
        for (Setting<?> setting : ClutchSettings.all()) {
            assertEquals(setting.onReload() == OnReload.RESTART || setting.onReload() == OnReload.MASTER,
                    ReloadedSettings.masterLayer(master).hasPath(setting.key()), setting.key());
        }
    }

    @Test
    void theAlarmWebhookWithItsTokenStaysWithTheMaster() throws IOException {
        ClutchConfig master = withFile("clutch.alarm.webhook.url = \"https://hooks.example.com/T0/s3cret\"", "");

        Config layer = ReloadedSettings.masterLayer(master);

        assertEquals("", layer.getString(ClutchSettings.ALARM_WEBHOOK_URL.key()));
        assertFalse(layer.root().render().contains("s3cret"), layer.root().render());
    }
}
