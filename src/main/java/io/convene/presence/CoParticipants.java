package io.convene.presence;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Who shares a meeting in progress with each of some users: they hear about that user's presence. A
 * user absent from the answer attends no meeting in progress; present with an empty list, they attend
 * one alone.
 */
@FunctionalInterface
public interface CoParticipants {
  Future<Map<String, List<String>>> of(Collection<String> userIds);
}
