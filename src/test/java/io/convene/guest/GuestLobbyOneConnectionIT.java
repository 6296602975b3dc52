package io.convene.guest;

import io.vertx.core.json.JsonObject;

/**
 * The guest lobby with a pool of one PostgreSQL connection: ending the sessions of guests left alone
 * reads whether a member came back on the ending transaction's own connection.
 */
class GuestLobbyOneConnectionIT extends GuestLobbyIT {
  @Override
  protected JsonObject overrides() {
    return super.overrides().mergeIn(new JsonObject().put("db", new JsonObject().put("poolSize", 1)), true);
  }
}
