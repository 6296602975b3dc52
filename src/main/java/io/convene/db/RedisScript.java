package io.convene.db;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script called by its SHA-1 ({@code EVALSHA}): the text crosses the wire only when Redis does not
 * know it yet (first use, or after a restart or {@code SCRIPT FLUSH}), in which case it is sent once
 * with {@code EVAL}, which also caches it. Scripts take no keys; they get everything in ARGV.
 */
public final class RedisScript {
  private final String text;
  private final String sha;

  public RedisScript(String text) {
    this.text = text;
    this.sha = sha1(text);
  }

  public Future<Response> run(Redis redis, List<String> args) {
    Request bySha = Request.cmd(Command.EVALSHA).arg(sha).arg(0);
    args.forEach(bySha::arg);
    return redis.send(bySha).recover(err -> {
      if (err.getMessage() == null || !err.getMessage().startsWith("NOSCRIPT")) {
        return Future.failedFuture(err);
      }
      Request byText = Request.cmd(Command.EVAL).arg(text).arg(0);
      args.forEach(byText::arg);
      return redis.send(byText);
    });
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
