package dev.clutch.core.alarm;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.clutch.core.api.Alarm;
import dev.clutch.core.logging.Redaction;
import dev.clutch.core.spi.AlarmSink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each alarm as JSON to {@code clutch.alarm.webhook.url}, off the master's thread, with a timeout per attempt
 * and a few retries spaced out; a webhook that stays down is logged, never blocks the master.
 */
public final class WebhookAlarmSink implements AlarmSink {

    private static final Logger log = LoggerFactory.getLogger(WebhookAlarmSink.class);

    private final URI url;
    /** The URL as the log shows it: its path or query may hold the webhook's token. */
    private final String shownUrl;
    private final Duration timeout;
    private static final long MAX_RETRY_DELAY_MILLIS = 30_000;
    private final int attempts;
    private final HttpClient client;

    public WebhookAlarmSink(URI url, Duration timeout, int attempts) {
        this.url = url;
        this.shownUrl = Redaction.url(url.toString());
        this.timeout = timeout;
        this.attempts = attempts;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public void raise(Alarm alarm) {
        post(json(alarm), 1);
    }

    private void post(String body, int attempt) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            boolean ok = failure == null && response.statusCode() / 100 == 2;
            if (ok) {
                return;
            }
            String why = failure != null ? failure.toString() : "HTTP " + response.statusCode();
            if (failure == null && !worthRetrying(response.statusCode())) {
                log.error("alarm webhook {} refused the alarm ({}): not retried, the same request would be refused "
                        + "again; alarm not delivered", shownUrl, why);
                return;
            }
            if (attempt >= attempts) {
                log.error("alarm webhook {} failed {} times, last: {}; alarm not delivered", shownUrl, attempt, why);
                return;
            }
            long delay = retryDelayMillis(attempt);
            log.warn("alarm webhook {} failed ({}); retry {} of {} in {} ms", shownUrl, why, attempt + 1, attempts,
                    delay);
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> post(body, attempt + 1));
        });
    }

    /** A server error, a timeout (408) or too many requests (429) may pass later; another 4xx will not. */
    static boolean worthRetrying(int status) {
        return status >= 500 || status == 408 || status == 429 || status < 400;
    }

    /** 0.5 s, doubling, at most 30 s: an alarm of twenty attempts still arrives within minutes, not days. */
    static long retryDelayMillis(int attempt) {
        return Math.min(MAX_RETRY_DELAY_MILLIS, 500L << Math.min(attempt - 1, 16));
    }

    static String json(Alarm alarm) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", alarm.kind());
        body.put("app", alarm.app());
        body.put("message", alarm.message());
        body.put("at", alarm.at().toString());
        Map<String, Object> details = new LinkedHashMap<>();
        alarm.details().forEach((k, v) -> details.put(k, v instanceof Number || v instanceof Boolean ? v
                : String.valueOf(v)));
        body.put("details", details);
        body.put("lastStderrLines", alarm.lastStderrLines());
        return ConfigValueFactory.fromMap(body).render(ConfigRenderOptions.concise());
    }
}
