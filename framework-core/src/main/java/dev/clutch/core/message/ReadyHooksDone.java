package dev.clutch.core.message;

/**
 * A child's {@code didReady} hooks ran without failing, after its {@link ProcessReady}: for a worker, the end of its
 * start. Until then the worker serves, but replaces no one: a hook that fails ends the process, and a reload must
 * not have drained the worker it was to replace.
 */
public record ReadyHooksDone() {
}
