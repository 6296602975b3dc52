package io.convene.meeting;

import io.convene.protocol.Input;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * How a meeting repeats: every {@code interval} days, weeks or months (in UTC), until a date or for a
 * number of occurrences. Monthly dates past the end of a shorter month fall on its last day.
 */
public record Recurrence(Frequency frequency, int interval, Instant until, Integer count) {
  public enum Frequency {
    DAILY,
    WEEKLY,
    MONTHLY
  }

  /** One occurrence's window. */
  public record Window(Instant start, Instant end) {}

  /** Reads {@code {"frequency","interval"?,"until"?,"count"?}}; problems are added to {@code in}. */
  public static Recurrence read(Input in, int maxCount) {
    in.allowOnly("frequency", "interval", "until", "count");
    String f = in.string("frequency", true, 1, 16);
    Frequency frequency = null;
    if (f != null) {
      try {
        frequency = Frequency.valueOf(f.toUpperCase());
      } catch (IllegalArgumentException e) {
        in.error("frequency", "invalid", "must be daily, weekly or monthly");
      }
    }
    Integer interval = in.integer("interval", false, 1, 99);
    Instant until = in.instant("until", false);
    Integer count = in.integer("count", false, 1, maxCount);
    if (until == null && count == null && !in.has("until") && !in.has("count")) {
      in.error("count", "required", "give until or count");
    }
    if (until != null && count != null) {
      in.error("count", "conflict", "give until or count, not both");
    }
    return frequency == null ? null : new Recurrence(frequency, interval == null ? 1 : interval, until, count);
  }

  /** The windows of every occurrence, the first being the given one; at most {@code maxCount}. */
  public List<Window> windows(Instant start, Instant end, int maxCount) {
    Duration length = Duration.between(start, end);
    ZonedDateTime first = start.atZone(ZoneOffset.UTC);
    int limit = Math.min(count == null ? maxCount : count, maxCount);
    List<Window> windows = new ArrayList<>();
    for (int i = 0; windows.size() < limit; i++) {
      long step = (long) i * interval;
      ZonedDateTime s =
          switch (frequency) {
            case DAILY -> first.plusDays(step);
            case WEEKLY -> first.plusWeeks(step);
            case MONTHLY -> first.plusMonths(step);
          };
      Instant occurrence = s.toInstant();
      if (until != null && occurrence.isAfter(until)) {
        break;
      }
      windows.add(new Window(occurrence, occurrence.plus(length)));
    }
    return windows;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("frequency", frequency.name().toLowerCase())
        .put("interval", interval)
        .put("until", until == null ? null : until.toString())
        .put("count", count);
  }

  public static Recurrence fromJson(JsonObject json) {
    if (json == null) {
      return null;
    }
    String until = json.getString("until");
    return new Recurrence(
        Frequency.valueOf(json.getString("frequency").toUpperCase()),
        json.getInteger("interval", 1),
        until == null ? null : Instant.parse(until),
        json.getInteger("count"));
  }
}
