package io.convene.gateway;

import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Failures;
import io.convene.protocol.Frames;
import io.convene.protocol.SocketRequestHandler;
import io.convene.protocol.SocketRequests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a client frame and answers it with exactly one ack: malformed frames get an error ack naming the
 * problem (the socket stays up), well-formed ones go to the handler of their type, and whatever a
 * handler fails with is mapped by {@link Failures}, as REST answers are. A handler that has not answered
 * within the request timeout (a backing service hangs) gets an {@code unavailable} ack.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final int MAX_REQUEST_ID = 64;

  private final SocketRequests requests;
  private final long timeoutMillis;
  private final GatewayStats stats;
  private final Vertx vertx;

  Dispatcher(SocketRequests requests, long timeoutMillis, GatewayStats stats, Vertx vertx) {
    this.requests = requests;
    this.timeoutMillis = timeoutMillis;
    this.stats = stats;
    this.vertx = vertx;
  }

  void dispatch(Connection conn, String text) {
    Object parsed;
    try {
      parsed = Json.decodeValue(Buffer.buffer(text));
    } catch (DecodeException e) {
      conn.send(Frames.error(null, ErrorCode.MALFORMED_JSON, "frame is not valid JSON"));
      return;
    }
    if (!(parsed instanceof JsonObject frame)) {
      conn.send(Frames.error(null, ErrorCode.BAD_REQUEST, "frame must be a JSON object"));
      return;
    }
    Object rawId = frame.getValue("id");
    String id = rawId instanceof String s && !s.isEmpty() && s.length() <= MAX_REQUEST_ID ? s : null;
    if (id == null) {
      conn.send(Frames.error(null, ErrorCode.BAD_REQUEST, "id must be a string of 1 to " + MAX_REQUEST_ID + " characters"));
      return;
    }
    if (!(frame.getValue("type") instanceof String type)) {
      conn.send(Frames.error(id, ErrorCode.BAD_REQUEST, "type must be a string"));
      return;
    }
    Object rawData = frame.getValue("data");
    if (rawData != null && !(rawData instanceof JsonObject)) {
      conn.send(Frames.error(id, ErrorCode.BAD_REQUEST, "data must be an object"));
      return;
    }
    JsonObject data = rawData == null ? new JsonObject() : (JsonObject) rawData;
    long received = System.nanoTime();
    Future<JsonObject> result;
    try {
      SocketRequestHandler handler = requests.handler(type);
      if (handler == null) {
        throw new ApiException(ErrorCode.UNKNOWN_TYPE, "unknown request type '" + truncate(type) + "'");
      }
      result = handler.handle(conn.identity, conn.id, data);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    stats.requestsHandled.increment();
    conn.pending++;
    Deadline.within(vertx, result, timeoutMillis).onComplete(ar -> {
      conn.pending--;
      if (ar.succeeded()) {
        conn.send(Frames.ok(id, ar.result()));
        stats.requestAnswered.record(System.nanoTime() - received, TimeUnit.NANOSECONDS);
        return;
      }
      ApiException e = Failures.toApiException(ar.cause());
      if (Failures.unexpected(e)) {
        LOG.error("request {} of {} failed", type, conn.userId(), ar.cause());
      }
      conn.send(Frames.error(id, e.code(), e.getMessage()));
      stats.requestFailed.record(System.nanoTime() - received, TimeUnit.NANOSECONDS);
    });
  }

  private static String truncate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
