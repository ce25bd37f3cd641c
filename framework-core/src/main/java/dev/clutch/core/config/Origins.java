package dev.clutch.core.config;

import com.typesafe.config.ConfigOrigin;

/** Where a config value came from, in the words an error message needs: file or source, and line. */
public final class Origins {

    private Origins() {
    }

    public static String describe(ConfigOrigin origin) {
        String where = origin.filename() != null ? origin.filename()
                : origin.resource() != null ? origin.resource()
                : origin.description();
        return origin.lineNumber() > 0 && !where.contains(": " + origin.lineNumber())
                ? where + ", line " + origin.lineNumber()
                : where;
    }
}
