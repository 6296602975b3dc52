package io.convene.meeting;

import io.vertx.core.json.JsonObject;

/**
 * Every meetings test with a pool of one PostgreSQL connection. A create reads its overlaps on a second
 * connection while its transaction holds the first; it must still complete (the read asks for its
 * connection first) and list the overlaps, and no other route may wait on a second connection while
 * holding the only one.
 */
class OneConnectionIT extends MeetingsApiIT {
  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("db", new JsonObject().put("poolSize", 1));
  }
}
