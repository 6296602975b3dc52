package io.convene.limit;

/** {@link RateLimitIT} on three nodes: each node keeps limits of its own. */
class RateLimitClusterIT extends RateLimitIT {
  @Override
  protected int nodes() {
    return 3;
  }
}
