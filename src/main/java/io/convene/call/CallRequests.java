package io.convene.call;

import io.convene.protocol.SocketRequests;
import io.convene.protocol.Input;
import io.convene.protocol.Requests;
import io.vertx.core.json.JsonObject;

/** The socket side of calls: {@code call:accept}, {@code call:decline}, {@code call:cancel} {meetingId}. */
public final class CallRequests {
  private CallRequests() {}

  public static void register(SocketRequests requests, CallService calls) {
    requests.on(Requests.CALL_ACCEPT, (who, conn, data) -> calls.accept(who, callId(data), conn));
    requests.on(Requests.CALL_DECLINE, (who, conn, data) -> calls.decline(who, callId(data), conn));
    requests.on(Requests.CALL_CANCEL, (who, conn, data) -> calls.cancel(who, callId(data)));
  }

  private static String callId(JsonObject data) {
    Input in = Input.of(data).allowOnly("meetingId");
    String id = in.string("meetingId", true, 1, 64);
    in.check();
    return id;
  }
}
