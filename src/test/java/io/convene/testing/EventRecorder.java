package io.convene.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Records what is published on an event-bus address and lets a test wait for a matching event. */
public final class EventRecorder {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<JsonObject> seen = new ArrayList<>();

  public EventRecorder(Vertx vertx, String address) {
    vertx.eventBus().<JsonObject>consumer(address, msg -> {
      synchronized (seen) {
        seen.add(msg.body());
        seen.notifyAll();
      }
    }).completion().await();
  }

  /** Waits for an event of {@code type} addressed to {@code userId} that matches {@code test}. */
  public JsonObject await(String userId, String type, Predicate<JsonObject> test) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    synchronized (seen) {
      while (true) {
        for (JsonObject e : seen) {
          if (matches(e, userId, type) && test.test(e.getJsonObject("data"))) {
            return e.getJsonObject("data");
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + type + " event for " + userId + " within " + WAIT + "; saw " + seen);
        }
        try {
          seen.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted");
        }
      }
    }
  }

  /** Waits for any recorded message matching {@code test}; returns the whole message. */
  public JsonObject awaitMessage(Predicate<JsonObject> test) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    synchronized (seen) {
      while (true) {
        for (JsonObject m : seen) {
          if (test.test(m)) {
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no matching message within " + WAIT);
        }
        try {
          seen.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted");
        }
      }
    }
  }

  /** Waits until {@code count} recorded messages match {@code test}. */
  public void awaitMessages(Predicate<JsonObject> test, int count) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    synchronized (seen) {
      while (seen.stream().filter(test).count() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("fewer than " + count + " matching messages within " + WAIT);
        }
        try {
          seen.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted");
        }
      }
    }
  }

  public JsonObject await(String userId, String type) {
    return await(userId, type, d -> true);
  }

  /** Events of {@code type} addressed to {@code userId} so far. */
  public List<JsonObject> of(String userId, String type) {
    synchronized (seen) {
      return seen.stream().filter(e -> matches(e, userId, type)).map(e -> e.getJsonObject("data")).toList();
    }
  }

  private static boolean matches(JsonObject e, String userId, String type) {
    return type.equals(e.getString("type")) && e.getJsonArray("userIds").contains(userId);
  }
}
