package io.convene.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Builds the effective configuration. Layers, each overriding the one before: the bundled defaults
 * ({@code conf/config.json}), an optional operator file ({@code CONVENE_CONFIG} or the launcher's
 * {@code -conf}), environment variables, then system properties.
 *
 * <p>Every key of the defaults can be overridden: {@code auth.jwksRefreshSeconds} is read from the
 * environment variable {@code CONVENE_AUTH_JWKS_REFRESH_SECONDS} and the system property {@code
 * convene.auth.jwksRefreshSeconds}. Values are parsed as the type of the default (numbers, booleans,
 * strings; arrays as comma-separated lists).
 */
public final class ConfigLoader {
  public static final String DEFAULTS_RESOURCE = "conf/config.json";
  public static final String CONFIG_FILE_ENV = "CONVENE_CONFIG";

  private ConfigLoader() {}

  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("bundled " + DEFAULTS_RESOURCE + " is missing");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The effective configuration for this process. */
  public static JsonObject load(JsonObject launcherConf, Map<String, String> env, Properties sys) {
    JsonObject defaults = defaults();
    JsonObject result = defaults.copy();
    String file = env.get(CONFIG_FILE_ENV);
    if (file != null && !file.isBlank()) {
      mergeInto(result, readFile(Path.of(file)), "");
    }
    if (launcherConf != null) {
      mergeInto(result, launcherConf, "");
    }
    overrideLeaves(defaults, result, "", env, sys);
    return result;
  }

  private static JsonObject readFile(Path path) {
    try {
      return new JsonObject(Files.readString(path));
    } catch (IOException e) {
      throw new ConfigException(CONFIG_FILE_ENV, "cannot read " + path + ": " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException(CONFIG_FILE_ENV, path + " is not valid JSON: " + e.getMessage());
    }
  }

  private static void mergeInto(JsonObject target, JsonObject overlay, String prefix) {
    for (Map.Entry<String, Object> e : overlay) {
      Object current = target.getValue(e.getKey());
      if (current instanceof JsonObject nested && e.getValue() instanceof JsonObject overlayNested) {
        mergeInto(nested, overlayNested, prefix + e.getKey() + ".");
      } else {
        target.put(e.getKey(), e.getValue());
      }
    }
  }

  private static void overrideLeaves(
      JsonObject defaults, JsonObject target, String prefix, Map<String, String> env, Properties sys) {
    for (String key : defaults.fieldNames()) {
      Object def = defaults.getValue(key);
      String path = prefix + key;
      if (def instanceof JsonObject nested) {
        JsonObject targetNested = target.getValue(key) instanceof JsonObject t ? t : new JsonObject();
        target.put(key, targetNested);
        overrideLeaves(nested, targetNested, path + ".", env, sys);
        continue;
      }
      String raw = sys.getProperty("convene." + path);
      String source = "system property convene." + path;
      if (raw == null) {
        raw = env.get(envName(path));
        source = "environment variable " + envName(path);
      }
      if (raw != null) {
        target.put(key, parse(path, source, def, raw));
      }
    }
  }

  /** {@code auth.jwksRefreshSeconds} → {@code CONVENE_AUTH_JWKS_REFRESH_SECONDS}. */
  public static String envName(String path) {
    StringBuilder sb = new StringBuilder("CONVENE_");
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  private static Object parse(String path, String source, Object def, String raw) {
    String value = raw.trim();
    if (def instanceof Number) {
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new ConfigException(path, "expected a whole number from " + source + ", got '" + raw + "'");
      }
    }
    if (def instanceof Boolean) {
      if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(value);
      }
      throw new ConfigException(path, "expected true or false from " + source + ", got '" + raw + "'");
    }
    if (def instanceof JsonArray) {
      JsonArray arr = new JsonArray();
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          arr.add(part.trim());
        }
      }
      return arr;
    }
    return value.isEmpty() ? null : raw;
  }
}
