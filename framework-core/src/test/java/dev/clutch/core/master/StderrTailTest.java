package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** How a child's console output is cut into the lines the master copies. */
class StderrTailTest {

    @Test
    void aLineWithoutEndIsCopiedInBoundedPiecesAndLineEndsAreDropped() throws IOException {
        String huge = "x".repeat(StderrTail.MAX_LINE_CHARS * 2 + 5);
        BufferedReader reader = new BufferedReader(new StringReader("first\r\n" + huge + "\nlast"));
        StringBuilder buffer = new StringBuilder();

        assertEquals("first", StderrTail.nextLine(reader, buffer));
        assertEquals(StderrTail.MAX_LINE_CHARS, StderrTail.nextLine(reader, buffer).length());
        assertEquals(StderrTail.MAX_LINE_CHARS, StderrTail.nextLine(reader, buffer).length());
        assertEquals("xxxxx", StderrTail.nextLine(reader, buffer));
        assertEquals("last", StderrTail.nextLine(reader, buffer));
        assertNull(StderrTail.nextLine(reader, buffer));
    }
}
