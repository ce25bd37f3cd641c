package dev.clutch.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EnvNameTest {

    @Test
    void theFirstNameGivenWins() {
        assertEquals("staging", EnvName.resolve(" staging ", "prod", "local"));
        assertEquals("qa", EnvName.resolve(null, "", "qa"));
    }

    @Test
    void mavenIsRecognisedHoweverItWasLaunched() {
        assertTrue(EnvName.runningInsideMaven("org.codehaus.plexus.classworlds.launcher.Launcher exec:java", null));
        assertTrue(EnvName.runningInsideMaven("org.apache.maven.wrapper.MavenWrapperMain exec:java", null));
        assertTrue(EnvName.runningInsideMaven("org.codehaus.classworlds.Launcher -Didea.version=2025.2 exec:java",
                null));
        assertTrue(EnvName.runningInsideMaven("org.mvndaemon.mvnd.common.MavenDaemon", null));
        assertTrue(EnvName.runningInsideMaven("", "/opt/maven/bin/m2.conf"));
        assertFalse(EnvName.runningInsideMaven("com.example.App start", null));
        assertFalse(EnvName.runningInsideMaven("/srv/app/app.jar start", null));
    }
}
