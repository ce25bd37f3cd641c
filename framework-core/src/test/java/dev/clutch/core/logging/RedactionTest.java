package dev.clutch.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void aUrlKeepsItsSchemeHostAndPortOnly() {
        assertEquals("https://hooks.slack.com/…", Redaction.url("https://hooks.slack.com/services/T000/B000/XXXX"));
        assertEquals("http://127.0.0.1:8080/…", Redaction.url("http://127.0.0.1:8080/alarm?token=s3cret"));
        assertEquals("https://alerts.example.com/…", Redaction.url("https://user:pw@alerts.example.com"));
        assertEquals("https://alerts.example.com", Redaction.url("https://alerts.example.com/"));
        assertEquals("(a URL that does not parse)", Redaction.url("https://bad host/x"));
    }
}
