package io.convene.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a JSON request object field by field, collecting every problem (with the field's path) instead
 * of stopping at the first. Call {@link #check()} once all fields are read.
 */
public final class Input {
  /** User ids are the host app's {@code sub}: opaque, short, printable. */
  public static final int MAX_ID_LENGTH = 128;

  private final JsonObject json;
  private final String prefix;
  private final List<FieldError> errors;

  private Input(JsonObject json, String prefix, List<FieldError> errors) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
    this.errors = errors;
  }

  public static Input of(JsonObject json) {
    return new Input(json, "", new ArrayList<>());
  }

  /** Refuses fields other than the named ones. */
  public Input allowOnly(String... names) {
    Set<String> allowed = Set.of(names);
    for (String field : json.fieldNames()) {
      if (!allowed.contains(field)) {
        error(field, "unknown_field", "unknown field");
      }
    }
    return this;
  }

  public boolean has(String name) {
    return json.containsKey(name);
  }

  public void error(String name, String code, String message) {
    errors.add(new FieldError(prefix + name, code, message));
  }

  /** A trimmed string of {@code min..max} characters without control characters; null when absent. */
  public String string(String name, boolean required, int min, int max) {
    Object v = json.getValue(name);
    if (v == null) {
      if (required) {
        error(name, "required", "is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      error(name, "type", "must be a string");
      return null;
    }
    String trimmed = s.strip();
    if (trimmed.length() < min) {
      error(name, min <= 1 ? "required" : "too_short", min <= 1 ? "must not be empty" : "must have at least " + min + " characters");
      return null;
    }
    if (trimmed.length() > max) {
      error(name, "too_long", "must have at most " + max + " characters");
      return null;
    }
    if (hasControlCharacters(trimmed, name.equals("description"))) {
      error(name, "invalid", "must not contain control characters");
      return null;
    }
    return trimmed;
  }

  /** The earliest instant Convene takes: before it, times are surely mistakes (and some beyond PostgreSQL). */
  public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  /** The latest instant Convene takes (PostgreSQL's timestamps reach further, Java's formatting not much). */
  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  /** Whether {@code t} lies between {@link #EARLIEST} and {@link #LATEST}. */
  public static boolean inRange(Instant t) {
    return !t.isBefore(EARLIEST) && !t.isAfter(LATEST);
  }

  /** An ISO-8601 instant with an offset, e.g. {@code 2026-11-22T10:00:00Z}, between 1970 and 9999. */
  public Instant instant(String name, boolean required) {
    Object v = json.getValue(name);
    if (v == null) {
      if (required) {
        error(name, "required", "is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      error(name, "type", "must be an ISO-8601 date-time string");
      return null;
    }
    try {
      Instant t = OffsetDateTime.parse(s).toInstant().truncatedTo(ChronoUnit.MICROS);
      if (!inRange(t)) {
        error(name, "range", "must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
        return null;
      }
      return t;
    } catch (java.time.DateTimeException e) {
      error(name, "format", "must be an ISO-8601 date-time with offset, e.g. 2026-11-22T10:00:00Z");
      return null;
    }
  }

  public Integer integer(String name, boolean required, int min, int max) {
    Object v = json.getValue(name);
    if (v == null) {
      if (required) {
        error(name, "required", "is required");
      }
      return null;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || Double.isInfinite(n.doubleValue())) {
      error(name, "type", "must be a whole number");
      return null;
    }
    if (n.doubleValue() < min || n.doubleValue() > max) {
      error(name, "range", "must be between " + min + " and " + max);
      return null;
    }
    return n.intValue();
  }

  public Boolean bool(String name) {
    Object v = json.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Boolean b)) {
      error(name, "type", "must be true or false");
      return null;
    }
    return b;
  }

  /** A list of distinct ids, each 1..128 printable characters; empty when absent and not required. */
  public List<String> ids(String name, boolean required, int maxCount) {
    Object v = json.getValue(name);
    if (v == null) {
      if (required) {
        error(name, "required", "is required");
      }
      return List.of();
    }
    if (!(v instanceof JsonArray arr)) {
      error(name, "type", "must be an array of strings");
      return List.of();
    }
    if (required && arr.isEmpty()) {
      error(name, "required", "must not be empty");
      return List.of();
    }
    if (arr.size() > maxCount) {
      error(name, "too_many", "must have at most " + maxCount + " entries");
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < arr.size(); i++) {
      Object item = arr.getValue(i);
      String problem = idProblem(item);
      if (problem != null) {
        error(name + "[" + i + "]", "invalid", problem);
      } else {
        out.add((String) item);
      }
    }
    return List.copyOf(out);
  }

  /** A nested object read with its own field paths; null when absent. */
  public Input object(String name) {
    Object v = json.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      error(name, "type", "must be an object");
      return null;
    }
    return new Input(o, prefix + name + ".", errors);
  }

  public JsonObject raw() {
    return json;
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  /** Throws a validation failure listing every problem found so far. */
  public void check() {
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
  }

  /** Why {@code value} is not a valid user id, or null when it is. */
  public static String idProblem(Object value) {
    if (!(value instanceof String s)) {
      return "must be a string";
    }
    if (s.isEmpty() || s.length() > MAX_ID_LENGTH) {
      return "must have 1 to " + MAX_ID_LENGTH + " characters";
    }
    if (!s.equals(s.strip()) || hasControlCharacters(s, false)) {
      return "must not contain control characters or surrounding spaces";
    }
    return null;
  }

  private static boolean hasControlCharacters(String s, boolean allowNewlines) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) && !(allowNewlines && (c == '\n' || c == '\r' || c == '\t'))) {
        return true;
      }
    }
    return false;
  }
}
