package dev.clutch.core.master;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.clutch.core.api.Role;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ClutchSettings;
import dev.clutch.core.config.ConfigLoader;
import dev.clutch.core.config.ConfigurationException;
import dev.clutch.core.config.ReloadedSettings;
import dev.clutch.core.config.Setting;
import dev.clutch.core.config.Setting.OnReload;
import dev.clutch.core.plugin.PluginSet;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The {@code clutch.*} settings a reload takes from the application's files as they are on disk now (a new jar put
 * in place since the start, say), and what it tells the operator about them: which the new processes take, and
 * which wait for a stop and a start (see {@link ReloadedSettings}). Called on the master's thread.
 */
final class ReloadSettings {

    private final ClutchConfig started;
    private final Config flags;
    private final String classpath;
    private final ChildFactory children;
    /**
     * What the workers and the agent launched from now on get, and what the master decides by: the files as the last
     * reload that took them read them.
     */
    private ClutchConfig forWorkers;
    private ClutchConfig forAgent;
    private ClutchConfig forMaster;

    /**
     * @param flags the master's command-line overrides, which stay above the files
     * @param classpath the children's, whose files a reload reads
     */
    ReloadSettings(ClutchConfig started, Config flags, String classpath, ChildFactory children) {
        this.started = started;
        this.flags = flags;
        this.classpath = classpath;
        this.children = children;
        this.forWorkers = started;
        this.forAgent = started;
        this.forMaster = started;
    }

    /**
     * What a reload took from the files: a line per setting that changed, saying what happens to it, and the
     * configuration for the master's own decisions when one of those it applies at once changed ({@code null}
     * otherwise).
     */
    record Taken(List<String> lines, ClutchConfig forMaster) {
    }

    /**
     * Reads the files on disk and applies what a reload applies: the workers' settings to the workers launched from
     * now on, the agent's too when the reload starts a new agent.
     *
     * @throws ConfigurationException when the files on disk do not load or hold a bad value: nothing is applied
     */
    Taken take(boolean newAgent) {
        ClutchConfig onDisk = onDisk();
        List<String> lines = new ArrayList<>();
        for (Setting<?> setting : ReloadedSettings.changed(OnReload.NEW_WORKERS, forWorkers, onDisk)) {
            lines.add(ReloadedSettings.describe(setting, onDisk) + ": the new workers take it (the old ones had "
                    + ReloadedSettings.value(setting, forWorkers) + ")");
        }
        forWorkers = onDisk;
        children.jvmArgs(Role.WORKER, onDisk.workerJvmArgs());
        for (Setting<?> setting : ReloadedSettings.changed(OnReload.NEW_AGENT, forAgent, onDisk)) {
            lines.add(ReloadedSettings.describe(setting, onDisk) + (newAgent
                    ? ": the new agent takes it (the old one had " + ReloadedSettings.value(setting, forAgent) + ")"
                    : ": the agent keeps " + ReloadedSettings.value(setting, forAgent) + " until reload --agent"));
        }
        if (newAgent) {
            forAgent = onDisk;
            children.jvmArgs(Role.AGENT, onDisk.agentJvmArgs());
        }
        List<Setting<?>> masters = ReloadedSettings.changed(OnReload.MASTER, forMaster, onDisk);
        for (Setting<?> setting : masters) {
            lines.add(ReloadedSettings.describe(setting, onDisk) + ": the master applies it now (it had "
                    + ReloadedSettings.value(setting, forMaster) + ")");
        }
        if (!masters.isEmpty()) {
            forMaster = masterApplying(onDisk);
        }
        for (Setting<?> setting : ReloadedSettings.changed(OnReload.RESTART, started, onDisk)) {
            lines.add(ReloadedSettings.describe(setting, onDisk) + ": a setting of the master, every process keeps "
                    + ReloadedSettings.value(setting, started) + " until a stop and a start"
                    + (setting == ClutchSettings.WORKERS ? " (scale N sets the number of workers now)" : ""));
        }
        return new Taken(lines, masters.isEmpty() ? null : forMaster);
    }

    /**
     * The master's configuration once it applies what it applies at once; every other setting stays as it started,
     * since the processes keep it too (a hung worker's timeout, say, goes with the heartbeat interval they send at).
     */
    private ClutchConfig masterApplying(ClutchConfig onDisk) {
        Config merged = started.raw();
        for (Setting<?> setting : ClutchSettings.all()) {
            if (setting.onReload() == OnReload.MASTER) {
                merged = merged.withValue(setting.key(), onDisk.raw().getValue(setting.key()));
            }
        }
        return ClutchConfig.of(merged, started.name());
    }

    /** The configuration a child launched now would read: the files on disk, not those the master opened. */
    private ClutchConfig onDisk() {
        try (URLClassLoader files = new FilesOnDisk(urls())) {
            Config loaded = ConfigLoader.load(files, started.env(), flags, System.getenv());
            // A bad switch would fail every new process at its start: a reload --agent would have stopped the agent.
            PluginSet.checkSwitches(loaded);
            return ClutchConfig.of(loaded, started.name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            // The library keeps the reference configuration of the last class loader it read: not this one.
            ConfigFactory.invalidateCaches();
        }
    }

    /**
     * Resources as a new JVM reads them: from the classpath's files only (the platform loader as parent), and each
     * opened afresh. The JDK keeps every jar it opened through a {@code jar:} URL, and reading through that cache
     * would give the master's start-up configuration again, from the jar a deploy has replaced since.
     */
    private static final class FilesOnDisk extends URLClassLoader {

        FilesOnDisk(URL[] urls) {
            super("clutch-files-on-disk", urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        public URL getResource(String name) {
            URL url = super.getResource(name);
            return url == null ? null : uncached(url);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            List<URL> urls = new ArrayList<>();
            for (URL url : Collections.list(super.getResources(name))) {
                urls.add(uncached(url));
            }
            return Collections.enumeration(urls);
        }

        private static URL uncached(URL url) {
            try {
                return new URL(null, url.toString(), new URLStreamHandler() {
                    @Override
                    protected URLConnection openConnection(URL ignored) throws IOException {
                        URLConnection connection = url.openConnection();
                        connection.setUseCaches(false);
                        return connection;
                    }
                });
            } catch (MalformedURLException e) {
                throw new IllegalStateException(url + ": " + e.getMessage(), e);
            }
        }
    }

    private URL[] urls() {
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                try {
                    urls.add(Path.of(entry).toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IllegalStateException("classpath entry " + entry + ": " + e.getMessage(), e);
                }
            }
        }
        return urls.toArray(URL[]::new);
    }
}
