package io.convene.meeting;

import java.security.SecureRandom;
import java.util.Base64;

/** Meeting ids: {@code mtg_} or {@code call_} followed by 128 random bits, URL-safe. */
public final class MeetingIds {
  public static final String MEETING_PREFIX = "mtg_";
  public static final String CALL_PREFIX = "call_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private MeetingIds() {}

  public static String newMeetingId() {
    return MEETING_PREFIX + randomPart();
  }

  public static String newCallId() {
    return CALL_PREFIX + randomPart();
  }

  private static String randomPart() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Cheap shape check before touching the database: anything else is simply not found. */
  public static boolean plausible(String id) {
    return id != null
        && id.length() <= 64
        && (id.startsWith(MEETING_PREFIX) || id.startsWith(CALL_PREFIX))
        && id.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-');
  }
}
