package io.convene.call;

/** Every call test, on a three-node cluster: callers and callees on different nodes. */
class CallsClusterIT extends CallsIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
