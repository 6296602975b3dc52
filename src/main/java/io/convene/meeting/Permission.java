package io.convene.meeting;

/** Actions on a meeting that depend on the actor's role. */
public enum Permission {
  START_EARLY("start_early"),
  INVITE("invite"),
  GENERATE_LINK("generate_link"),
  REMOVE_GUEST("remove_guest"),
  ADMIT_MEMBERS("admit_members"),
  REMOVE_PARTICIPANT("remove_participant"),
  BAN_PARTICIPANT("ban_participant"),
  MUTE_PARTICIPANT("mute_participant"),
  END_FOR_ALL("end_for_all"),
  CANCEL_MEETING("cancel_meeting"),
  DELETE_MEETING("delete_meeting"),
  ASSIGN_ROLES("assign_roles"),
  EDIT_MEETING("edit_meeting"),
  UPDATE_SETTINGS("update_settings"),
  ADMIT_GUESTS("admit_guests"),
  VIEW_ATTENDANCE("view_attendance"),
  VIEW_AUDIT("view_audit"),
  PUBLISH_MEDIA("publish_media"),
  RECORD("record"),
  DELETE_RECORDING("delete_recording"),
  /** Send and read chat, react, raise a hand, vote (guests never do). */
  INTERACT("interact"),
  /** Delete others' chat messages, lower others' hands. */
  MODERATE_INTERACTIONS("moderate_interactions"),
  /** Open and close polls. */
  RUN_POLLS("run_polls");

  private final String wire;

  Permission(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
