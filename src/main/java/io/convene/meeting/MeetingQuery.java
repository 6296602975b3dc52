package io.convene.meeting;

import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * A page request over the caller's meetings. {@code upcoming} runs in start order from the soonest;
 * {@code past}, {@code my} and {@code created} run from the latest start backwards.
 */
public record MeetingQuery(
    Filter filter, MeetingStatus status, Boolean instantCall, String text, Cursor after, int limit) {

  public enum Filter {
    UPCOMING,
    PAST,
    MY,
    CREATED
  }

  /** Position after the last item of a page: its start time and id. */
  public record Cursor(Instant startTime, String id) {
    public String encode() {
      String raw = startTime.getEpochSecond() + ":" + startTime.getNano() + ":" + id;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    public static Cursor decode(String value) {
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split(":", 3);
        Instant start = Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        if (!MeetingIds.plausible(parts[2]) || !io.convene.protocol.Input.inRange(start)) {
          throw new IllegalArgumentException();
        }
        return new Cursor(start, parts[2]);
      } catch (RuntimeException e) {
        throw ApiException.validation(List.of(new FieldError("cursor", "invalid", "is not a cursor this server issued")));
      }
    }
  }
}
