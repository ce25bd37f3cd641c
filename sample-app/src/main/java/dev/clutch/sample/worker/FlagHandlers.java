package dev.clutch.sample.worker;

import dev.clutch.core.api.Messenger;
import dev.clutch.sample.FlagNames;
import dev.clutch.sample.FlagSettings;
import dev.clutch.sample.FlagUpdate;
import dev.clutch.worker.api.Handler;
import dev.clutch.worker.api.HttpException;
import dev.clutch.worker.api.Request;
import dev.clutch.worker.api.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** The flag API. */
final class FlagHandlers {

    private FlagHandlers() {
    }

    /** GET /flags. */
    static final class ListFlags implements Handler {
        private final FlagView flags;

        @Inject
        ListFlags(FlagView flags) {
            this.flags = flags;
        }

        @Override
        public Object handle(Request request) {
            return Map.of("flags", flags.all());
        }
    }

    /** GET /flags/{name}. */
    static final class GetFlag implements Handler {
        private final FlagView flags;

        @Inject
        GetFlag(FlagView flags) {
            this.flags = flags;
        }

        @Override
        public Object handle(Request request) {
            return existing(flags, request.pathParam("name"));
        }
    }

    /** GET /flags/{name}/evaluate?user=...: whether the flag is on for that user. */
    static final class Evaluate implements Handler {
        private final FlagView flags;

        @Inject
        Evaluate(FlagView flags) {
            this.flags = flags;
        }

        @Override
        public Object handle(Request request) {
            Flag flag = existing(flags, request.pathParam("name"));
            String user = request.queryParam("user").filter(u -> !u.isBlank()).orElseThrow(() ->
                    HttpException.badRequest("give the user to evaluate for: ?user=<id>"));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("flag", flag.name());
            result.put("user", user);
            result.put("enabled", Rollout.isOn(flag, user));
            result.put("bucket", Rollout.bucket(flag.name(), user));
            result.put("rollout", flag.rollout());
            result.put("version", flag.version());
            return result;
        }
    }

    /** The body of PUT /flags/{name}; both fields are required. */
    record Change(Boolean enabled, Integer rollout) {
    }

    /**
     * PUT /flags/{name}: validated here, written by the agent, answered once the change has come back to this
     * worker through the shared state (so a GET on this worker right after sees it).
     */
    static final class PutFlag implements Handler {
        private static final Duration POLL = Duration.ofMillis(20);
        private final FlagView flags;
        private final Messenger messenger;
        private final FlagSettings settings;

        @Inject
        PutFlag(FlagView flags, Messenger messenger, FlagSettings settings) {
            this.flags = flags;
            this.messenger = messenger;
            this.settings = settings;
        }

        @Override
        public Object handle(Request request) throws InterruptedException {
            String name = request.pathParam("name");
            if (!FlagNames.isValid(name)) {
                throw HttpException.badRequest("invalid flag name '" + name + "': " + FlagNames.rule());
            }
            Change change = request.bodyAs(Change.class);
            List<String> problems = new java.util.ArrayList<>();
            if (change.enabled() == null) {
                problems.add("'enabled' is required: true or false");
            }
            if (change.rollout() == null) {
                problems.add("'rollout' is required: a percentage from 0 to 100");
            } else if (change.rollout() < 0 || change.rollout() > 100) {
                problems.add("'rollout' must be from 0 to 100, not " + change.rollout());
            }
            if (!problems.isEmpty()) {
                throw HttpException.badRequest(String.join("; ", problems));
            }
            long before = flags.version(name);
            // A flag in the file that workers leave out as invalid exists all the same: its PUT replaces it.
            boolean created = before == 0;
            try {
                messenger.request(Messenger.Target.agent(), FlagNames.SET_ACTION,
                        new FlagUpdate(name, change.enabled(), change.rollout()), settings.applyTimeout()).get();
            } catch (ExecutionException e) {
                Messenger.MessageFailedException.Reason reason = e.getCause()
                        instanceof Messenger.MessageFailedException failed ? failed.reason() : null;
                if (reason == Messenger.MessageFailedException.Reason.TIMED_OUT) {
                    // The agent may be slow, not gone: it can still write the file after this answer.
                    throw new HttpException(504, "the agent did not confirm the change within "
                            + settings.applyTimeout().toMillis() + " ms: it may still be applied; GET the flag to "
                            + "see");
                }
                // The agent tried and failed (a file it must not rewrite, a full disk): retrying will not help. Not
                // reached at all (no agent, too busy): it may, later.
                throw new HttpException(reason == Messenger.MessageFailedException.Reason.HANDLER_FAILED ? 500 : 503,
                        "the agent could not write the change: " + e.getCause().getMessage());
            }
            long deadline = System.nanoTime() + settings.applyTimeout().toNanos();
            // Ours, or a later change of the same flag by someone else (the last write wins, as in the file).
            while (!flags.has(name, change.enabled(), change.rollout()) && flags.version(name) <= before) {
                if (System.nanoTime() > deadline) {
                    throw new HttpException(504, "the change was written but did not reach this worker within "
                            + settings.applyTimeout().toMillis() + " ms");
                }
                Thread.sleep(POLL.toMillis());
            }
            return Response.json(created ? 201 : 200, existing(flags, name));
        }
    }

    private static Flag existing(FlagView flags, String name) {
        return flags.find(name).orElseThrow(() -> HttpException.notFound("no flag named '" + name + "'"));
    }
}
