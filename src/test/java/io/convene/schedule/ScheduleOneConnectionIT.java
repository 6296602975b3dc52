package io.convene.schedule;

import io.vertx.core.json.JsonObject;

/**
 * Every schedule test with a pool of one PostgreSQL connection: a sweep that holds the only connection
 * in its transaction must read who is in the rooms on that connection, not wait for a second one.
 */
class ScheduleOneConnectionIT extends ScheduleIT {
  @Override
  protected JsonObject overrides() {
    return super.overrides().mergeIn(new JsonObject().put("db", new JsonObject().put("poolSize", 1)), true);
  }
}
