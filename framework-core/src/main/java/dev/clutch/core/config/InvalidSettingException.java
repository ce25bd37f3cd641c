package dev.clutch.core.config;

/** One bad value: which key, where it came from, and what is allowed. */
public final class InvalidSettingException extends RuntimeException {

    private final Setting<?> setting;

    InvalidSettingException(Setting<?> setting, String found, String allowed) {
        super(found + ": " + allowed);
        this.setting = setting;
    }

    public Setting<?> setting() {
        return setting;
    }
}
