package io.convene.livekit;

import java.io.IOException;

/**
 * LiveKit answered a call with a client error (4xx): asking again the same way will not help, unlike a
 * failure to answer, a timeout or a 5xx.
 */
public final class LiveKitRefusal extends IOException {
  private final int status;

  public LiveKitRefusal(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
