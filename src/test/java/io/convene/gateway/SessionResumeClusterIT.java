package io.convene.gateway;

/** The same resumes, each coming back to another node of a two-node cluster than the one it dropped from. */
class SessionResumeClusterIT extends SessionResumeIT {
  @Override
  protected int nodes() {
    return 2;
  }

  @Override
  protected int resumeNode() {
    return 1;
  }
}
