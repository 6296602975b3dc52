package io.convene.attendance;

import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** {@code GET /api/meetings/{id}/attendance[?format=csv]}: the attendance report (owner, manager). */
public final class AttendanceRoutes {
  private final Attendance attendance;

  public AttendanceRoutes(Attendance attendance) {
    this.attendance = attendance;
  }

  public void mount(Router api) {
    api.get("/meetings/:id/attendance").handler(this::report);
  }

  private void report(RoutingContext rc) {
    String format = rc.queryParams().get("format");
    if (format != null && !format.equals("json") && !format.equals("csv")) {
      throw ApiException.validation(List.of(new FieldError("format", "invalid", "must be json or csv")));
    }
    String id = rc.pathParam("id");
    attendance.report(AuthHandler.identity(rc), id).onSuccess(rows -> {
      if ("csv".equals(format)) {
        rc.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"attendance-" + id + ".csv\"")
            .end(csv(rows));
      } else {
        Bodies.json(rc, 200, new JsonObject().put("meetingId", id).put("items", new JsonArray(rows)));
      }
    }).onFailure(rc::fail);
  }

  /** Attendance as CSV; values that a spreadsheet would run as formulas are quoted. */
  static String csv(List<JsonObject> rows) {
    StringBuilder sb = new StringBuilder("userId,firstJoin,lastLeave,cycles,minutes,percentage,status,late\n");
    for (JsonObject r : rows) {
      sb.append(csvField(r.getString("userId"))).append(',')
          .append(r.getString("firstJoin") == null ? "" : r.getString("firstJoin")).append(',')
          .append(r.getString("lastLeave") == null ? "" : r.getString("lastLeave")).append(',')
          .append(r.getInteger("cycles")).append(',')
          .append(r.getLong("minutes")).append(',')
          .append(r.getDouble("percentage")).append(',')
          .append(r.getString("status")).append(',')
          .append(r.getBoolean("late")).append('\n');
    }
    return sb.toString();
  }

  private static String csvField(String s) {
    String safe = s.startsWith("=") || s.startsWith("+") || s.startsWith("-") || s.startsWith("@") ? "'" + s : s;
    return safe.contains(",") || safe.contains("\"") || safe.contains("\n")
        ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
  }
}
