package io.convene.meeting;

import java.time.Instant;
import java.util.List;

/** Validated requests to the meeting service. Null fields of a patch leave the value as it is. */
public final class Commands {
  private Commands() {}

  public record NewMeeting(
      String title,
      String description,
      Instant startTime,
      Instant endTime,
      List<String> participantIds,
      Integer maxParticipants,
      boolean allowExternal,
      Settings settings,
      Recurrence recurrence) {}

  public record MeetingPatch(
      String title,
      String description,
      boolean clearDescription,
      Instant startTime,
      Instant endTime,
      SettingsPatch settings) {
    boolean movesTime() {
      return startTime != null || endTime != null;
    }

    /** Changes nothing but who sees the meeting's recordings. */
    boolean onlyRecordingAccess() {
      SettingsPatch s = settings;
      return title == null && description == null && !clearDescription && !movesTime() && s != null
          && s.recordingAccess() != null && s.voiceOnly() == null && s.muteOnJoin() == null && s.waitingRoom() == null
          && s.autoRecord() == null && s.allowExternal() == null && s.maxParticipants() == null
          && !s.clearMaxParticipants();
    }
  }

  public record SettingsPatch(
      Boolean voiceOnly,
      Boolean muteOnJoin,
      Boolean waitingRoom,
      Boolean autoRecord,
      RecordingAccess recordingAccess,
      Boolean allowExternal,
      Integer maxParticipants,
      boolean clearMaxParticipants) {
    public static final SettingsPatch NONE = new SettingsPatch(null, null, null, null, null, null, null, false);
  }

  /** Which meetings of a series a change applies to. */
  public enum Scope {
    INSTANCE,
    SERIES
  }
}
