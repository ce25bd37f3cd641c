package dev.clutch.core.schedule;

import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.ClutchComponent;
import dev.clutch.core.api.Scheduled;
import dev.clutch.core.plugin.PluginSet;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@link Scheduled} methods of the application's and its plugins' scheduled classes, found and checked the same
 * way in the agent (which triggers them) and in the workers (which run the worker ones).
 */
public final class ScheduledMethods {

    private ScheduledMethods() {
    }

    /**
     * One scheduled method.
     *
     * @param name the schedule's name, also the worker task's name
     */
    public record Entry(String name, Class<?> type, Method method, Scheduled schedule) {

        /** Runs the method on {@code instance}, one of {@link #type()}; what the method throws comes out as it is. */
        public void run(Object instance) throws Exception {
            try {
                method.invoke(instance);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                if (e.getCause() instanceof Error cause) {
                    throw cause;
                }
                throw e;
            }
        }
    }

    /**
     * Every scheduled method, plugins' classes first, each class's methods by name.
     *
     * @throws IllegalArgumentException naming the class and method of a declaration that is wrong
     */
    public static List<Entry> of(ClutchApplication application, PluginSet plugins) {
        List<Class<?>> classes = new ArrayList<>();
        for (ClutchComponent component : plugins.components(application)) {
            classes.addAll(component.scheduled());
        }
        List<Entry> entries = new ArrayList<>();
        for (Class<?> type : classes) {
            List<Method> methods = new ArrayList<>();
            for (Method method : type.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Scheduled.class)) {
                    methods.add(method);
                }
            }
            if (methods.isEmpty()) {
                throw new IllegalArgumentException(type.getName() + " is listed as scheduled but has no @Scheduled "
                        + "method");
            }
            methods.sort(Comparator.comparing(Method::getName));
            for (Method method : methods) {
                Entry entry = entry(type, method);
                for (Entry other : entries) {
                    if (other.name().equals(entry.name())) {
                        throw new IllegalArgumentException("two @Scheduled methods are named '" + entry.name() + "': "
                                + other.type().getName() + "." + other.method().getName() + " and " + type.getName()
                                + "." + method.getName() + "; give one another name = \"...\" (or list the class "
                                + "once)");
                    }
                }
                entries.add(entry);
            }
        }
        return entries;
    }

    private static Entry entry(Class<?> type, Method method) {
        Scheduled schedule = method.getAnnotation(Scheduled.class);
        String where = type.getName() + "." + method.getName();
        if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())) {
            throw new IllegalArgumentException("@Scheduled " + where + " must be an instance method without "
                    + "parameters");
        }
        if (schedule.every().isBlank() == schedule.cron().isBlank()) {
            throw new IllegalArgumentException("@Scheduled " + where + " needs exactly one of every = \"10s\" or "
                    + "cron = \"0 * * * * ?\"");
        }
        method.setAccessible(true);
        String name = schedule.name().isBlank() ? type.getSimpleName() + "." + method.getName() : schedule.name();
        return new Entry(name, type, method, schedule);
    }
}
