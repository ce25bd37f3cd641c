/**
 * The messages processes exchange over IPC, and {@link dev.clutch.core.message.MessageRegistry}, the one place
 * that gives each its fixed wire ID. Internal: not for application code.
 */
package dev.clutch.core.message;
