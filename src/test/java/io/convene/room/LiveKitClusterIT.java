package io.convene.room;

/**
 * Rooms on a three-node cluster: joins, leaves and webhooks reach different nodes, and the LiveKit
 * room is opened and torn down once.
 */
class LiveKitClusterIT extends LiveKitIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
