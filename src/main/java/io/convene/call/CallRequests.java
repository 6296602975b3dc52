package io.convene.call;

import io.convene.gateway.SocketRequestHandler;
import io.convene.protocol.Input;
import io.convene.protocol.Requests;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** The socket side of calls: {@code call:accept}, {@code call:decline}, {@code call:cancel} {meetingId}. */
public final class CallRequests {
  private CallRequests() {}

  public static void register(Map<String, SocketRequestHandler> handlers, CallService calls) {
    handlers.put(Requests.CALL_ACCEPT, (who, conn, data) -> calls.accept(who, callId(data), conn));
    handlers.put(Requests.CALL_DECLINE, (who, conn, data) -> calls.decline(who, callId(data), conn));
    handlers.put(Requests.CALL_CANCEL, (who, conn, data) -> calls.cancel(who, callId(data)));
  }

  private static String callId(JsonObject data) {
    Input in = Input.of(data).allowOnly("meetingId");
    String id = in.string("meetingId", true, 1, 64);
    in.check();
    return id;
  }
}
