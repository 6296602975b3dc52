package io.convene.audit;

import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.protocol.Identity;
import io.convene.protocol.Input;
import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * {@code GET /api/meetings/{id}/audit?cursor=&limit=} for a meeting's owner and managers (and admins),
 * {@code GET /api/audit?actor=&action=&meetingId=&from=&to=&cursor=&limit=} for admins.
 */
public final class AuditRoutes {
  private static final int MAX_PAGE = 200;
  private static final int DEFAULT_PAGE = 50;

  /** Whether someone may read a meeting's audit log: fails (not found, forbidden) when they may not. */
  @FunctionalInterface
  public interface Readers {
    Future<Void> require(Identity who, String meetingId);
  }

  private final AuditLog log;
  private final Readers readers;

  public AuditRoutes(AuditLog log, Readers readers) {
    this.log = log;
    this.readers = readers;
  }

  public void mount(Router api) {
    api.get("/meetings/:id/audit").handler(this::ofMeeting);
    api.get("/audit").handler(this::search);
  }

  private void ofMeeting(RoutingContext rc) {
    String meetingId = rc.pathParam("id");
    Long cursor = AuditLog.decodeCursor(rc.queryParams().get("cursor"));
    int limit = Bodies.pageLimit(rc, DEFAULT_PAGE, MAX_PAGE);
    if (Input.idProblem(meetingId) != null) {
      throw ApiException.notFound("meeting");
    }
    Bodies.answer(rc, 200, readers.require(AuthHandler.identity(rc), meetingId)
        .compose(v -> log.search(new AuditLog.Query(null, null, meetingId, null, null, cursor, limit)))
        .map(AuditLog.Page::toJson));
  }

  private void search(RoutingContext rc) {
    if (!AuthHandler.identity(rc).admin()) {
      throw ApiException.forbidden("the audit log is for administrators: the admin role is required");
    }
    var q = rc.queryParams();
    String action = q.get("action");
    if (action != null && !AuditLog.ACTIONS.contains(action)) {
      throw ApiException.validation(List.of(new FieldError("action", "unknown",
          "unknown action '" + clip(action) + "'; known: " + String.join(", ", AuditLog.ACTIONS))));
    }
    AuditLog.Query query = new AuditLog.Query(blankToNull(q.get("actor")), action, blankToNull(q.get("meetingId")),
        instant(q.get("from"), "from"), instant(q.get("to"), "to"), AuditLog.decodeCursor(q.get("cursor")),
        Bodies.pageLimit(rc, DEFAULT_PAGE, MAX_PAGE));
    Bodies.answer(rc, 200, log.search(query).map(AuditLog.Page::toJson));
  }

  private static Instant instant(String raw, String field) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.validation(List.of(new FieldError(field, "format", "must be an ISO-8601 time with offset, e.g. 2026-01-31T09:00:00Z")));
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }
}
