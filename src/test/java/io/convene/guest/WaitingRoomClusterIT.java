package io.convene.guest;

/** The waiting room on a three-node cluster: members wait on one node and are let in through another. */
class WaitingRoomClusterIT extends WaitingRoomIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
