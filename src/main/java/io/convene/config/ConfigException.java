package io.convene.config;

/** Invalid configuration; the message names the key. Thrown at start so a bad node never comes up. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem) {
    super("invalid configuration '" + key + "': " + problem);
  }
}
