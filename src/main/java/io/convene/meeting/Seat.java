package io.convene.meeting;

/** Who is seated in a new meeting, with which role and answer. */
public record Seat(String userId, Role role, ParticipantStatus status) {}
