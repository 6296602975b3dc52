package io.convene.attendance;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Attendance of one participant from their join/leave cycles: minutes inside the meeting's window,
 * the share of the window, and a status. Plain Java; the time is passed in.
 *
 * <p>Cycles that start within {@link #MERGE_GAP} of the previous leave count as one. Status: {@code
 * absent} under 30 %, {@code partial} from 30 % to under 80 %, from 80 % {@code present} when the
 * first join came within the grace after the start, else {@code late}.
 */
public final class AttendanceCalculator {
  public static final Duration MERGE_GAP = Duration.ofMinutes(2);
  static final double PARTIAL_FROM = 30.0;
  static final double PRESENT_FROM = 80.0;

  /** One stay in the room; {@code left} is null while still there. */
  public record Cycle(Instant joined, Instant left) {}

  public record Attendance(
      Instant firstJoin, Instant lastLeave, int cycles, long minutes, double percentage, String status, boolean late) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("firstJoin", firstJoin == null ? null : firstJoin.toString())
          .put("lastLeave", lastLeave == null ? null : lastLeave.toString())
          .put("cycles", cycles)
          .put("minutes", minutes)
          .put("percentage", percentage)
          .put("status", status)
          .put("late", late);
    }
  }

  private AttendanceCalculator() {}

  /**
   * @param start the window's start (scheduled start; a call's actual start)
   * @param end the window's end (scheduled end; a call's actual end, or now)
   * @param now open cycles count until now (or the end of the window)
   * @param grace how late a first join may come and still be {@code present}
   */
  public static Attendance compute(List<Cycle> cycles, Instant start, Instant end, Instant now, Duration grace) {
    List<Cycle> merged = merge(cycles, now);
    if (merged.isEmpty()) {
      return new Attendance(null, null, 0, 0, 0.0, "absent", false);
    }
    long windowMillis = Math.max(1, Duration.between(start, end).toMillis());
    long attendedMillis = 0;
    for (Cycle c : merged) {
      Instant from = c.joined().isAfter(start) ? c.joined() : start;
      Instant to = c.left().isBefore(end) ? c.left() : end;
      if (to.isAfter(from)) {
        attendedMillis += Duration.between(from, to).toMillis();
      }
    }
    double percentage = Math.round(Math.min(100.0, attendedMillis * 100.0 / windowMillis) * 10) / 10.0;
    Instant firstJoin = merged.get(0).joined();
    boolean late = firstJoin.isAfter(start.plus(grace));
    Cycle last = merged.get(merged.size() - 1);
    Instant lastLeave = cycles.stream().anyMatch(c -> c.left() == null) ? null : last.left();
    String status = percentage < PARTIAL_FROM ? "absent"
        : percentage < PRESENT_FROM ? "partial"
        : late ? "late" : "present";
    return new Attendance(firstJoin, lastLeave, merged.size(), Duration.ofMillis(attendedMillis).toMinutes(),
        percentage, status, late);
  }

  /** Sorts the cycles, closes open ones at {@code now}, and joins those separated by a short gap. */
  static List<Cycle> merge(List<Cycle> cycles, Instant now) {
    List<Cycle> sorted = new ArrayList<>();
    for (Cycle c : cycles) {
      sorted.add(new Cycle(c.joined(), c.left() == null || c.left().isAfter(now) ? now : c.left()));
    }
    sorted.sort(Comparator.comparing(Cycle::joined));
    List<Cycle> out = new ArrayList<>();
    for (Cycle c : sorted) {
      if (!out.isEmpty()) {
        Cycle prev = out.get(out.size() - 1);
        if (!c.joined().isAfter(prev.left().plus(MERGE_GAP))) {
          out.set(out.size() - 1, new Cycle(prev.joined(), c.left().isAfter(prev.left()) ? c.left() : prev.left()));
          continue;
        }
      }
      out.add(c);
    }
    return out;
  }
}
