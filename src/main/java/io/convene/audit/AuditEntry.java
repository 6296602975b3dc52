package io.convene.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One change to a meeting, as the audit log keeps it: what ({@code action}, one of {@link AuditLog}'s
 * actions), to which meeting, by whom ({@code actorId}: a user id, {@code guest:<sessionId>}, or null
 * when the server itself made the change: the clock, LiveKit, everyone leaving) and the details.
 */
public record AuditEntry(String action, String meetingId, String actorId, JsonObject details, Instant at) {
  public AuditEntry {
    details = details == null ? new JsonObject() : details;
  }
}
