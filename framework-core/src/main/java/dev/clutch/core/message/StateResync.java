package dev.clutch.core.message;

/** A worker that saw a gap in state versions asks the master for the whole snapshot again. */
public record StateResync() {
}
