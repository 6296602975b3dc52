package io.convene.gateway;

/** The same resumes on a three-node cluster, each coming back to another node than the one it dropped from. */
class SessionResumeClusterIT extends SessionResumeIT {
  @Override
  protected int nodes() {
    return 3;
  }

  @Override
  protected int resumeNode() {
    return 2;
  }
}
