package dev.clutch.sample;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import dev.clutch.core.api.testing.ClutchTest;
import dev.clutch.core.api.testing.TestCluster;
import dev.clutch.core.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The flag API, on the application booted in this JVM by the test kit. */
@ClutchTest(FlagsApp.class)
class FlagsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void listsTheFlagsOfTheFileWithTheirVersions(TestCluster app) throws Exception {
        JsonNode flags = json(Http.get(app.baseUrl() + "/flags")).get("flags");

        List<String> names = new ArrayList<>();
        flags.forEach(flag -> names.add(flag.get("name").asText()));
        assertTrue(names.containsAll(List.of("checkout-v2", "dark-mode", "new-search")), names.toString());
        JsonNode checkout = json(Http.get(app.baseUrl() + "/flags/checkout-v2"));
        assertTrue(checkout.get("version").asLong() > 0, checkout.toString());
        assertTrue(checkout.has("enabled") && checkout.has("rollout"), checkout.toString());
    }

    @Test
    void anUnknownFlagIs404WithAClearBody(TestCluster app) throws Exception {
        HttpResponse<String> response = Http.get(app.baseUrl() + "/flags/no-such-flag");

        assertEquals(404, response.statusCode());
        assertEquals("no flag named 'no-such-flag'", json(response).get("error").asText());
    }

    @Test
    void evaluationIsStableAndFollowsTheRollout(TestCluster app) throws Exception {
        Http.put(app.baseUrl() + "/flags/half", "{\"enabled\": true, \"rollout\": 50}");
        int on = 0;
        for (int user = 0; user < 200; user++) {
            String url = app.baseUrl() + "/flags/half/evaluate?user=user-" + user;
            boolean first = json(Http.get(url)).get("enabled").asBoolean();
            assertEquals(first, json(Http.get(url)).get("enabled").asBoolean(), "the same user, the same answer");
            on += first ? 1 : 0;
        }
        assertTrue(on > 60 && on < 140, "about half of 200 users: " + on);

        Http.put(app.baseUrl() + "/flags/half", "{\"enabled\": false, \"rollout\": 50}");
        assertFalse(json(Http.get(app.baseUrl() + "/flags/half/evaluate?user=user-1")).get("enabled").asBoolean(),
                "a disabled flag is off for everyone");
        assertEquals(400, Http.get(app.baseUrl() + "/flags/half/evaluate").statusCode(), "the user is required");
    }

    @Test
    void aPutIsWrittenToTheFileByTheAgentAndServedWithItsVersion(TestCluster app) throws Exception {
        HttpResponse<String> created = Http.put(app.baseUrl() + "/flags/beta-banner",
                "{\"enabled\": true, \"rollout\": 10}");
        assertEquals(201, created.statusCode(), created.body());
        long version = json(created).get("version").asLong();

        HttpResponse<String> changed = Http.put(app.baseUrl() + "/flags/beta-banner",
                "{\"enabled\": true, \"rollout\": 30}");
        assertEquals(200, changed.statusCode(), changed.body());
        assertEquals(30, json(changed).get("rollout").asInt());
        assertTrue(json(changed).get("version").asLong() > version);

        String file = Files.readString(app.baseDir().resolve("flags.conf"));
        assertTrue(file.contains("beta-banner") && file.contains("30"), file);
        assertTrue(app.sharedState().containsKey("flag.beta-banner"), "the agent published it");
    }

    @Test
    void invalidChangesAre400WithWhatIsWrong(TestCluster app) throws Exception {
        assertBadRequest(app, "/flags/x", "{\"enabled\": true, \"rollout\": 150}", "'rollout' must be from 0 to 100, "
                + "not 150");
        assertBadRequest(app, "/flags/x", "{\"rollout\": 5}", "'enabled' is required");
        assertBadRequest(app, "/flags/x", "{not json", "the body is not valid JSON");
        assertBadRequest(app, "/flags/x", "{\"enabled\": true, \"rollout\": 5, \"owner\": \"me\"}", "owner");
        assertBadRequest(app, "/flags/Bad%20Name", "{\"enabled\": true, \"rollout\": 5}", "invalid flag name");
        assertEquals(404, Http.get(app.baseUrl() + "/flags/x").statusCode(), "nothing was written");
    }

    @Test
    void aPutKeepsTheCommentTheFileOpensWith(TestCluster app) throws Exception {
        // Flags come back sorted: one that sorts first, then the file's first flag, which the comment was above.
        for (String flag : List.of("aa-first", "checkout-v2")) {
            HttpResponse<String> put = Http.put(app.baseUrl() + "/flags/" + flag,
                    "{\"enabled\": true, \"rollout\": 25}");
            assertTrue(put.statusCode() == 200 || put.statusCode() == 201, put.body());
        }

        String file = Files.readString(app.baseDir().resolve("flags.conf"));
        assertTrue(file.startsWith("# Feature flags: one object per flag."), file);
        assertTrue(file.contains("# The agent watches this file"), file);
    }

    @Test
    void aPutKeepsTheFlagsOtherFieldsTheFilesPermissionsAndTheLinkToIt(TestCluster app) throws Exception {
        Path link = app.baseDir().resolve("flags.conf");
        Path real = Files.createDirectories(app.baseDir().resolve("shared")).resolve("flags.conf");
        Files.writeString(real, Files.readString(link) + "\nowned { enabled = false, rollout = 0, owner = payments }\n");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
        Files.delete(link);
        Files.createSymbolicLink(link, real);
        await("the owned flag is published").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> Http.get(app.baseUrl() + "/flags/owned").statusCode() == 200);

        HttpResponse<String> put = Http.put(app.baseUrl() + "/flags/owned", "{\"enabled\": true, \"rollout\": 40}");

        assertEquals(200, put.statusCode(), put.body());
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
        Config owned = ConfigFactory.parseFile(real.toFile()).getConfig("owned");
        assertEquals("payments", owned.getString("owner"), "the field the API does not know is kept");
        assertEquals(40, owned.getInt("rollout"));
    }

    @Test
    void aPutOfAFlagTheFileHasButWorkersLeaveOutReplacesIt(TestCluster app) throws Exception {
        Path file = app.baseDir().resolve("flags.conf");
        Files.writeString(file, Files.readString(file) + "\nhalf-typed { enabled = yes-ish, rollout = 5 }\n");
        await("the broken flag is published").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> app.sharedState().containsKey("flag.half-typed"));
        assertEquals(404, Http.get(app.baseUrl() + "/flags/half-typed").statusCode(), "left out as invalid");

        HttpResponse<String> put = Http.put(app.baseUrl() + "/flags/half-typed", "{\"enabled\": true, \"rollout\": 5}");

        assertEquals(200, put.statusCode(), "it was there, so it is replaced, not created: " + put.body());
        assertTrue(json(put).get("enabled").asBoolean(), put.body());
    }

    @Test
    void aPutToAFileThatUsesSubstitutionsIsRefusedRatherThanLosingThem(TestCluster app) throws Exception {
        Path file = app.baseDir().resolve("flags.conf");
        String original = Files.readString(file);
        Files.writeString(file, original + "\nbase { enabled = false, rollout = 0 }\nderived = ${base} { rollout = 5 }\n");
        try {
            await("the derived flag is published").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Http.get(app.baseUrl() + "/flags/derived").statusCode() == 200);

            HttpResponse<String> put = Http.put(app.baseUrl() + "/flags/base", "{\"enabled\": true, \"rollout\": 9}");

            assertEquals(500, put.statusCode(), put.body());
            assertTrue(put.body().contains("includes other files or uses substitutions (${...}), which a rewrite would "
                    + "lose: change it by hand"), put.body());
            assertTrue(Files.readString(file).contains("derived = ${base}"), "the file is as it was");
        } finally {
            Files.writeString(file, original);
            await("the original flags are back").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Http.get(app.baseUrl() + "/flags/derived").statusCode() == 404);
        }
    }

    @Test
    void anInvalidFlagIsWarnedAboutOncePerChangeNotOncePerRequest(TestCluster app) throws Exception {
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Logger view = (Logger) LoggerFactory.getLogger("dev.clutch.sample.worker.FlagView");
        view.addAppender(events);
        Path file = app.baseDir().resolve("flags.conf");
        String original = Files.readString(file);
        try {
            Files.writeString(file, original + "\nShouting { enabled = true, rollout = 5 }\n");
            await("the edit is published").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> app.sharedState().containsKey("flag.Shouting"));
            for (int i = 0; i < 5; i++) {
                assertEquals(404, Http.get(app.baseUrl() + "/flags/Shouting").statusCode(), "not a name a PUT takes");
                Http.get(app.baseUrl() + "/flags");
            }
            assertEquals(1, events.list.stream().filter(e -> e.getFormattedMessage().startsWith("flag Shouting in "
                    + "the flags file is not valid")).count(), events.list.toString());
        } finally {
            view.detachAppender(events);
            Files.writeString(file, original);
            await("the original flags are back").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !app.sharedState().containsKey("flag.Shouting"));
        }
    }

    @Test
    void anEditOfTheFileReachesTheWorkers(TestCluster app) throws Exception {
        Files.writeString(app.baseDir().resolve("flags.conf"), Files.readString(app.baseDir().resolve("flags.conf"))
                + "\nhand-edited { enabled = true, rollout = 7 }\n");

        await("the edit is published").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> Http.get(app.baseUrl() + "/flags/hand-edited").statusCode() == 200);
        assertEquals(7, json(Http.get(app.baseUrl() + "/flags/hand-edited")).get("rollout").asInt());
    }

    /** A team that keeps its flags in JSON gets JSON back. */
    @Nested
    @ClutchTest(value = FlagsApp.class, config = "clutch.state.file = flags.json")
    class WithAJsonFile {
        @Test
        void theExampleIsSeededAndAPutWrittenAsJson(TestCluster app) throws Exception {
            Path file = app.baseDir().resolve("flags.json");
            assertEquals(25, ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults()
                    .setSyntax(ConfigSyntax.JSON)).getInt("checkout-v2.rollout"));

            HttpResponse<String> put = Http.put(app.baseUrl() + "/flags/checkout-v2",
                    "{\"enabled\": true, \"rollout\": 60}");

            assertEquals(200, put.statusCode(), put.body());
            Config written = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults()
                    .setSyntax(ConfigSyntax.JSON));
            assertEquals(60, written.getInt("checkout-v2.rollout"), Files.readString(file));
            assertEquals(100, written.getInt("dark-mode.rollout"), "the other flags are kept");
        }
    }

    @Nested
    @ClutchTest(value = FlagsApp.class, config = "flags.statsEvery = 100ms")
    class WithStatisticsTenTimesASecond {
        @Test
        void aFlagTheWorkersLeaveOutIsNamedInTheStatisticsNotAFailedRun(TestCluster app) throws Exception {
            ListAppender<ILoggingEvent> events = new ListAppender<>();
            events.start();
            Logger agent = (Logger) LoggerFactory.getLogger("dev.clutch.sample.agent.FlagAgent");
            agent.addAppender(events);
            try {
                Path file = app.baseDir().resolve("flags.conf");
                Files.writeString(file, Files.readString(file) + "\nbroken { enabled = maybe, rollout = 5 }\n"
                        + "plain = true\ntoo-far { enabled = true, rollout = 150 }\n");

                await("statistics of the edited file").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> events.list.stream().map(ILoggingEvent::getFormattedMessage).anyMatch(line ->
                                line.equals("flag statistics: 3 flags, 2 enabled, average rollout 42%; not valid, "
                                        + "left out by the workers: broken, plain, too-far")));
            } finally {
                agent.detachAppender(events);
            }
        }
    }

    private static void assertBadRequest(TestCluster app, String path, String body, String message)
            throws Exception {
        HttpResponse<String> response = Http.put(app.baseUrl() + path, body);
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(json(response).get("error").asText().contains(message), response.body());
    }
}
