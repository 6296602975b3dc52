package io.convene.presence;

import io.vertx.core.Future;
import java.util.List;

/** Who shares a meeting in progress with a user: they hear about that user's presence. */
@FunctionalInterface
public interface CoParticipants {
  Future<List<String>> of(String userId);
}
