package dev.clutch.core.api;

/**
 * A Clutch application: what each role loads. The class implementing it is also the program's entry point, whose
 * {@code main} calls {@link Clutch#run(Class, String...)}; the framework starts the same class in every process
 * and decides the role.
 *
 * <pre>{@code
 * public final class FlagsApp implements ClutchApplication {
 *     public static void main(String[] args) { Clutch.run(FlagsApp.class, args); }
 *
 *     public List<Module> agentModules() { return List.of(new FlagAgentModule()); }
 *     public List<Module> workerModules() { return List.of(new FlagRoutesModule()); }
 * }
 * }</pre>
 *
 * <p>Its modules, payload types and scheduled classes are those of a {@link ClutchComponent}; plugins' come
 * first. Implementations need a public no-argument constructor.
 */
public interface ClutchApplication extends ClutchComponent {
}
