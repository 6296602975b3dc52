package io.convene;

import io.convene.auth.DevTokens;
import io.convene.auth.JwksKeys;
import io.convene.auth.TokenVerifier;
import io.convene.auth.UserDirectory;
import io.convene.bus.UserEvents;
import io.convene.call.CallService;
import io.convene.config.AppConfig;
import io.convene.guest.GuestService;
import io.convene.http.NodeStats;
import io.convene.livekit.LiveKitRooms;
import io.convene.meeting.MeetingService;
import io.convene.room.RoomService;
import io.convene.room.WebhookIntake;
import io.convene.schedule.ScheduleService;
import io.convene.notify.NotificationService;
import io.convene.presence.PresenceService;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Clock;

/** What the verticles of one node share: configuration, clock, clients and services. */
public record Services(
    AppConfig config,
    Clock clock,
    Pool pool,
    Redis redis,
    TokenVerifier tokens,
    JwksKeys jwks,
    UserDirectory users,
    UserEvents events,
    MeetingService meetings,
    PresenceService presence,
    NotificationService notifications,
    CallService calls,
    RoomService room,
    LiveKitRooms rooms,
    WebhookIntake webhooks,
    ScheduleService schedule,
    GuestService guests,
    NodeStats stats,
    DevTokens devTokens) {}
