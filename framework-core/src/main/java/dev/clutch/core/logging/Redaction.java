package dev.clutch.core.logging;

import java.net.URI;
import java.net.URISyntaxException;

/** What may be logged of a value that can carry a secret. */
public final class Redaction {

    private Redaction() {
    }

    /**
     * A URL as logs may show it: its scheme, host and port only. Webhook URLs carry their token in the path
     * (Slack's {@code /services/T000/B000/XXXX}), the query or the user part, and log files are read by more people
     * than the configuration is.
     */
    public static String url(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "(a URL without scheme or host)";
            }
            boolean more = uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null;
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                    + (more ? "/…" : "");
        } catch (URISyntaxException e) {
            return "(a URL that does not parse)";
        }
    }
}
