package org.b3lb.node.config;

/**
 * A configuration problem an admin must fix before the service can start. The message is one
 * line naming the key, the bad value, where it came from and what is allowed; it never carries
 * the value of a secret.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
