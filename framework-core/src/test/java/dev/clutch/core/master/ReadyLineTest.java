package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class ReadyLineTest {

    @Test
    void readsBackWhatItWritesForEveryKindOfHost() {
        for (String host : new String[] {"0.0.0.0", "127.0.0.1", "localhost", "::", "::1", "fe80::1%eth0"}) {
            String line = ReadyLine.format(812, 41, new long[] {42, 43}, ReadyLine.url(host, 7001));
            Matcher m = ReadyLine.PATTERN.matcher(line);
            assertTrue(m.find(), line);
            assertEquals("812", m.group(1));
            assertEquals("41", m.group(2));
            assertEquals("42, 43", m.group(3));
            assertEquals(host.contains(":") ? "[" + host + "]" : host, m.group(4), line);
            assertEquals("7001", m.group(5), line);
        }
    }

    @Test
    void anIpv6HostIsBracketedAsUrlsWriteIt() {
        assertEquals("http://[::1]:7001", ReadyLine.url("::1", 7001));
        assertEquals("http://[::1]:7001", ReadyLine.url("[::1]", 7001));
        assertEquals("http://127.0.0.1:7001", ReadyLine.url("127.0.0.1", 7001));
    }
}
