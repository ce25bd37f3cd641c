package dev.clutch.agent.internal;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.clutch.agent.api.Schedules;
import dev.clutch.core.config.UnitlessDuration;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The schedules the application declares, checked as they are declared; {@link Scheduler} runs them. */
final class AgentSchedules implements Schedules {

    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    /** When a schedule runs next. */
    interface Trigger {
        /** The first run strictly after {@code base}; empty when there is none. */
        Optional<ZonedDateTime> nextAfter(ZonedDateTime base);
    }

    enum Target { AGENT, ONE_WORKER, ALL_WORKERS }

    /** One declared schedule. */
    record Spec(String name, Trigger trigger, boolean immediate, Set<String> envs, Target target, Task agentTask,
                String workerTask) {
    }

    private final List<Spec> specs = new ArrayList<>();
    private int unnamedAgentTasks;
    private boolean sealed;

    List<Spec> specs() {
        return List.copyOf(specs);
    }

    /** The schedules to run; declaring one more from now on fails, since it would never run. */
    List<Spec> seal() {
        sealed = true;
        return specs();
    }

    @Override
    public Schedule every(String interval) {
        String number = UnitlessDuration.numberOf(interval);
        if (number != null) {
            throw new IllegalArgumentException("schedule interval '" + interval + "' " + UnitlessDuration.problem(
                    number));
        }
        Duration duration;
        try {
            duration = ConfigFactory.empty().withValue("d", ConfigValueFactory.fromAnyRef(interval)).getDuration("d");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("schedule interval '" + interval + "' is not a duration: write it "
                    + "like \"10s\", \"500ms\" or \"5m\"");
        }
        return every(duration);
    }

    @Override
    public Schedule every(Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("a schedule interval must be positive, not " + interval);
        }
        return new Declaration(base -> Optional.of(base.plus(interval)));
    }

    @Override
    public Schedule cron(String expression) {
        ExecutionTime times;
        try {
            times = ExecutionTime.forCron(CRON.parse(expression));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cron expression '" + expression + "' is not valid (Quartz syntax "
                    + "with seconds, e.g. \"0 0/5 * * * ?\"): " + e.getMessage(), e);
        }
        return new Declaration(base -> {
            Optional<ZonedDateTime> next = times.nextExecution(base);
            // On a time the expression names (to the second), the next one may be that time itself.
            return next.isPresent() && !next.get().isAfter(base) ? times.nextExecution(base.plusSeconds(1)) : next;
        });
    }

    private final class Declaration implements Schedule {
        private final Trigger trigger;
        private String name;
        private boolean immediate;
        private Set<String> envs = Set.of();

        Declaration(Trigger trigger) {
            this.trigger = trigger;
        }

        @Override
        public Schedule named(String scheduleName) {
            this.name = scheduleName;
            return this;
        }

        @Override
        public Schedule immediate() {
            this.immediate = true;
            return this;
        }

        @Override
        public Schedule inEnvs(String... envNames) {
            if (envNames == null || envNames.length == 0) {
                throw new IllegalArgumentException("inEnvs() needs at least one environment; leave it out to run "
                        + "the schedule in every one");
            }
            Set<String> named = new java.util.LinkedHashSet<>();
            for (String env : envNames) {
                if (env == null || env.isBlank()) {
                    throw new IllegalArgumentException("inEnvs" + java.util.Arrays.toString(envNames)
                            + ": an environment name is blank");
                }
                if (!named.add(env)) {
                    throw new IllegalArgumentException("inEnvs" + java.util.Arrays.toString(envNames) + ": '" + env
                            + "' is given twice");
                }
            }
            this.envs = Set.copyOf(named);
            return this;
        }

        @Override
        public void runOnAgent(Task task) {
            add(Target.AGENT, task, null, name == null ? "agent-task-" + ++unnamedAgentTasks : name);
        }

        @Override
        public void runOnOneWorker(String task) {
            add(Target.ONE_WORKER, null, task, name == null ? task : name);
        }

        @Override
        public void runOnAllWorkers(String task) {
            add(Target.ALL_WORKERS, null, task, name == null ? task : name);
        }

        private void add(Target target, Task agentTask, String workerTask, String scheduleName) {
            if (sealed) {
                throw new IllegalStateException("schedule '" + scheduleName + "' declared after the cluster was "
                        + "ready, so it would never run: declare schedules in a lifecycle hook, up to serverDidReady");
            }
            if (specs.stream().anyMatch(spec -> spec.name().equals(scheduleName))) {
                // Each name has its own guard against overlapping runs and its own lines in schedule.log.
                throw new IllegalArgumentException("schedule name '" + scheduleName + "' is already taken: give "
                        + "each schedule its own with named(...)");
            }
            specs.add(new Spec(scheduleName, trigger, immediate, envs, target, agentTask, workerTask));
        }
    }
}
