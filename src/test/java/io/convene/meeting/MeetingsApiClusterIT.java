package io.convene.meeting;

/**
 * Every meetings API test, on a three-node cluster: each request goes to the next node, so changes
 * made on one node are read, and their events heard, on the others.
 */
class MeetingsApiClusterIT extends MeetingsApiIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
