package dev.clutch.core.api;

/**
 * One application type that may travel in messages, with its fixed wire ID (1000 or more), the same in every
 * process: {@code PayloadType.of(1001, FlagChange.class)}.
 */
public record PayloadType(int id, Class<?> type) {

    /** {@code type} under the wire ID {@code id}, which must never change between the builds of a cluster. */
    public static PayloadType of(int id, Class<?> type) {
        return new PayloadType(id, type);
    }
}
