package io.convene.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** The typed, validated configuration of one node. Built once at start; invalid values fail fast. */
public record AppConfig(
    Http http,
    Path dataDir,
    boolean devMode,
    Cluster cluster,
    Db db,
    RedisConf redis,
    Auth auth,
    Gateway gateway,
    Presence presence,
    Calls calls,
    LiveKit livekit,
    Schedule schedule,
    Guests guests,
    Outbox outbox,
    Meetings meetings,
    Console console,
    Recordings recordings,
    Webhooks webhooks,
    Audit audit,
    Interactions interactions,
    Limits limits) {

  /**
   * Rate limits and caps where strangers reach, per node (see docs/operations.md, Security): REST requests
   * per address, failed authentications per address, socket handshakes per address, sockets per user,
   * guest registrations per address and per link, guests' requests to be let in per session, live guest
   * sessions and stored key bundles per link. 0 turns one off; {@code enabled} false turns all off.
   */
  public record Limits(
      boolean enabled,
      int restPerIpPerSecond,
      int restPerIpBurst,
      int authFailuresPerIpPerMinute,
      int handshakesPerIpPerSecond,
      int handshakesPerIpBurst,
      int socketsPerUser,
      int guestRegistrationsPerIpPerMinute,
      int guestRegistrationsPerLinkPerMinute,
      int guestAsksPerSessionPerMinute,
      int guestSessionsPerLink,
      int keyBundlesPerLink) {}

  /**
   * The HTTP server: where it listens, how many event loops serve it, the largest body, the public URL of
   * links, and how long a request may take before it is answered 503 (whatever it waits on).
   */
  public record Http(String host, int port, int instances, long maxBodyBytes, String publicUrl, int requestTimeoutMillis) {}

  /**
   * Clustered mode: Hazelcast (cluster.xml) with a TCP-IP member list; the event bus binds {@code host}
   * and {@code port} (0 = any) and advertises {@code publicHost} when set. With {@code tlsCertPath},
   * {@code tlsKeyPath} and {@code tlsCaPath} (PEM files), event-bus traffic between nodes is mutual TLS:
   * a node without a certificate signed by that CA can neither send nor receive. Hazelcast's own traffic
   * (membership, shared maps) stays plaintext: the network must still be private.
   */
  public record Cluster(
      boolean enabled,
      String name,
      String members,
      int hazelcastPort,
      int memberTimeoutSeconds,
      String configFile,
      String host,
      int port,
      String publicHost,
      String tlsCertPath,
      String tlsKeyPath,
      String tlsCaPath) {
    public boolean tls() {
      return tlsCertPath != null;
    }
  }

  /**
   * External PostgreSQL when {@code url} is set, otherwise the embedded one. A request waits at most
   * {@code timeoutMillis} for a pooled connection, behind at most {@code waitQueue} others.
   */
  public record Db(String url, String user, String password, int poolSize, int waitQueue, int timeoutMillis) {
    public boolean embedded() {
      return url == null;
    }
  }

  /**
   * External Redis when {@code url} is set, otherwise the embedded one. Every key starts with {@code
   * keyPrefix}, so several deployments can share one Redis. A command is answered within {@code
   * timeoutMillis} or fails; at most {@code waitQueue} commands wait for a pooled connection.
   */
  public record RedisConf(String url, String password, int poolSize, int waitQueue, int timeoutMillis, String keyPrefix) {
    public boolean embedded() {
      return url == null;
    }
  }

  /**
   * Host-app tokens: the HS256 secret and/or a JWKS document, the issuer and audience they must carry
   * (required outside dev mode), the clock leeway; and, in dev mode only, {@code devSecret}: the key of
   * the tokens dev mode mints, never the host app's secret.
   */
  public record Auth(
      String jwtSecret,
      String jwksUrl,
      int jwksRefreshSeconds,
      String issuer,
      String audience,
      int leewaySeconds,
      boolean requireIssuer,
      String devSecret) {
    /** This configuration with the dev-mode signing key {@code secret}. */
    public Auth withDevSecret(String secret) {
      return new Auth(jwtSecret, jwksUrl, jwksRefreshSeconds, issuer, audience, leewaySeconds, requireIssuer, secret);
    }

    /** Outside dev mode, tokens are accepted without an issuer and audience check: worth a loud warning. */
    public boolean unscoped() {
      return issuer == null || audience == null;
    }

    /** Never prints the secrets: configuration may be logged. */
    @Override
    public String toString() {
      return "Auth[jwtSecret=" + (jwtSecret == null ? "none" : "(set)") + ", jwksUrl=" + jwksUrl + ", issuer=" + issuer
          + ", audience=" + audience + ", leewaySeconds=" + leewaySeconds + ", devSecret="
          + (devSecret == null ? "none" : "(set)") + "]";
    }
  }

  /**
   * Socket limits: frame size, subscriptions, rate, outbound queue, pings and the sweep period; and
   * permessage-deflate, off unless {@code compression} (then at {@code compressionLevel}, clients asked
   * to keep no context between messages).
   */
  public record Gateway(
      int maxFrameBytes,
      int maxSubscriptions,
      int ratePerSecond,
      int rateBurst,
      int writeQueueBytes,
      int overflowFrames,
      int pingSeconds,
      int sweepMillis,
      boolean compression,
      int compressionLevel,
      int drainSeconds,
      int resumeSeconds,
      int resumeFrames,
      int resumeBytes) {}

  /**
   * Presence timing: heartbeat interval, reconnect grace, bulk period, node lease, sweep period; who
   * sees whom ({@code visibility}: {@code shared-meetings} or {@code everyone}), with how long a viewer's
   * meeting mates are kept before they are looked up again; how long a user offline keeps their keys.
   */
  public record Presence(int heartbeatSeconds, int graceMillis, int bulkSeconds, int nodeLeaseSeconds, int sweepMillis,
      String visibility, int visibilityCacheSeconds, int forgetOfflineDays) {
    /** With the defaults of the others: shared meetings, 30 s, 30 days. */
    public Presence(int heartbeatSeconds, int graceMillis, int bulkSeconds, int nodeLeaseSeconds, int sweepMillis) {
      this(heartbeatSeconds, graceMillis, bulkSeconds, nodeLeaseSeconds, sweepMillis, "shared-meetings", 30, 30);
    }
  }

  /** Ringing: the deadline, callees per call, the fallback end of a call, and the deadline sweep period. */
  public record Calls(int ringSeconds, int maxCallees, int maxCallHours, int sweepMillis) {}

  /**
   * LiveKit: the URL clients connect to, the API key and secret, token lifetime, the room's empty
   * timeout, the clock leeway for webhook signatures, and how long before a scheduled start the room
   * is created (0: at the start).
   */
  public record LiveKit(
      String url,
      String apiKey,
      String apiSecret,
      int tokenTtlSeconds,
      int emptyTimeoutSeconds,
      int webhookLeewaySeconds,
      int precreateMinutes) {
    /**
     * The empty timeout every request for a room carries: {@code emptyTimeoutSeconds} plus the time a
     * room may be created ahead, as LiveKit counts an empty room's timeout from its creation. So a
     * room created ahead stays open, empty, at least {@code emptyTimeoutSeconds} past the start, and a
     * later request for the same room (the first join, a recording) never shortens it. 0 leaves it to
     * LiveKit's own default when rooms are not created ahead; when they are, that default
     * ({@link #LIVEKIT_DEFAULT_EMPTY_TIMEOUT_SECONDS}) is stretched the same way, or a room created ahead
     * would close at about the start.
     */
    public int roomEmptyTimeoutSeconds() {
      if (precreateMinutes == 0) {
        return emptyTimeoutSeconds;
      }
      int base = emptyTimeoutSeconds == 0 ? LIVEKIT_DEFAULT_EMPTY_TIMEOUT_SECONDS : emptyTimeoutSeconds;
      return base + precreateMinutes * 60;
    }

    /** LiveKit's own empty timeout for rooms that ask for none. */
    public static final int LIVEKIT_DEFAULT_EMPTY_TIMEOUT_SECONDS = 300;
  }

  /**
   * Timed work: how often the sweeps run and how much each run does; reminder offsets (minutes before
   * the start, 0 = at the start) and how long after the start the at-start reminder stays relevant;
   * how long ended meetings are kept (0 = forever), read notifications too; when a silent stay closes.
   */
  public record Schedule(
      int sweepSeconds,
      int batchSize,
      List<Integer> reminderOffsetsMinutes,
      int atStartLapseMinutes,
      int retentionHours,
      int readNotificationDays,
      int staleStayMinutes) {}

  /**
   * Guests: a scheduled meeting's link works from {@code linkOpensMinutesBefore} its start to {@code
   * linkClosesMinutesAfter} it (and any time while in progress); a guest session lasts at most {@code
   * sessionHours}; a guest's key bundle is at most {@code maxKeyBytes}.
   */
  public record Guests(int linkOpensMinutesBefore, int linkClosesMinutesAfter, int sessionHours, int maxKeyBytes) {}

  /**
   * The outbox: a committed effect the node that made it has not carried out within {@code
   * redeliverAfterSeconds} is carried out by the dispatcher (every {@code sweepMillis}, {@code
   * batchSize} at a time), with backoff, until it succeeds or has failed {@code maxAttempts} times.
   */
  public record Outbox(int redeliverAfterSeconds, int maxAttempts, int sweepMillis, int batchSize) {}

  /** The secret {@code livekit-server --dev} uses; only ever the default in dev mode. */
  public static final String LIVEKIT_DEV_SECRET = "secret";

  public record Meetings(
      int maxParticipantsLimit, int maxInviteesPerRequest, int maxDurationHours, int maxRecurrenceInstances) {}

  /**
   * Recordings through LiveKit Egress: the file each recording becomes ({@code filePath}, a template
   * with {@code {meetingId}} and {@code {recordingId}}; a path on the egress host, or the object key
   * when {@code s3} names a bucket), its type and layout; a recording still starting after {@code
   * startTimeoutSeconds}, or processing after {@code processingTimeoutMinutes}, without LiveKit saying
   * it went on, has failed; unsettled recordings are checked against LiveKit every {@code
   * reconcileSeconds}.
   */
  public record Recordings(
      String filePath,
      String fileType,
      String layout,
      S3 s3,
      int startTimeoutSeconds,
      int processingTimeoutMinutes,
      int reconcileSeconds) {
    public static final String RECORDING_ID = "{recordingId}";
    public static final String MEETING_ID = "{meetingId}";

    /** The file (or object key) of one recording. */
    public String filePathOf(String meetingId, String recordingId) {
      return filePath.replace(MEETING_ID, meetingId).replace(RECORDING_ID, recordingId);
    }
  }

  /**
   * Upload to S3 or an S3-compatible store (MinIO, R2, ...) instead of a file on the egress host: on when
   * {@code bucket} is set. Without keys, LiveKit Egress uses the credentials of its own environment.
   */
  public record S3(String bucket, String region, String endpoint, String accessKey, String secret, boolean forcePathStyle) {
    public boolean enabled() {
      return bucket != null;
    }

    /** Never prints the keys: configuration may be logged. */
    @Override
    public String toString() {
      return "S3[bucket=" + bucket + ", region=" + region + ", endpoint=" + endpoint + ", accessKey="
          + (accessKey == null ? "none" : "(set)") + ", secret=" + (secret == null ? "none" : "(set)")
          + ", forcePathStyle=" + forcePathStyle + "]";
    }
  }

  /**
   * Outbound webhooks: the delays between the attempts of a delivery (in seconds; one retry per entry),
   * how many deliveries in a row may fail before the webhook is disabled, whether targets on private
   * addresses are allowed, the key that encrypts stored secrets (base64 of 32 bytes; derived from
   * {@code auth.jwtSecret} when unset), how long a receiver has to answer, how many deliveries of one
   * webhook a node sends at once, the pace of the delivery sweep, and how long finished deliveries
   * stay in the delivery log.
   */
  public record Webhooks(
      List<Integer> retryDelaysSeconds,
      int disableAfterFailures,
      boolean allowPrivateTargets,
      String secretKey,
      int timeoutSeconds,
      int maxInFlightPerWebhook,
      int sweepMillis,
      int batchSize,
      int keepDeliveriesDays) {}

  /** The audit log: entries are kept {@code retentionDays}, whatever happens to their meetings. */
  public record Audit(int retentionDays) {}

  /**
   * In-meeting interactions: each user may send {@code chatLimit} chat messages and {@code reactionLimit}
   * reactions per window of {@code windowSeconds} (across all their devices and nodes); poll results go
   * out at most once per {@code pollResultsMillis} per poll and node while votes come in.
   */
  public record Interactions(int chatLimit, int reactionLimit, int windowSeconds, int pollResultsMillis) {}

  /** The web console at {@code /console} and the guest join page at {@code /join/{token}}. */
  public record Console(boolean enabled) {}

  /**
   * The dev-mode setting. {@code auto} turns dev mode on only when nothing is configured (embedded
   * PostgreSQL and Redis, no token secret or JWKS, no LiveKit secret, no cluster) and the server listens
   * on loopback only; {@code on} asks for it, but only on loopback; {@code force} allows it on any
   * address; {@code off} never.
   *
   * @param nothingConfigured whether the server runs with nothing configured (see {@link #nothingConfigured})
   * @param loopback whether {@code http.host} is a loopback address
   */
  public static boolean resolveDevMode(String value, boolean nothingConfigured, boolean loopback) {
    return switch (value == null ? "auto" : value) {
      case "auto" -> nothingConfigured && loopback;
      case "on", "true" -> {
        if (!loopback) {
          throw new ConfigException("devMode", "dev mode mints tokens for anyone: it runs on a loopback http.host"
              + " only (set devMode=force to allow it on another address)");
        }
        yield true;
      }
      case "force" -> true;
      case "off", "false" -> false;
      default -> throw new ConfigException("devMode", "expected auto, on, force or off, got '" + value + "'");
    };
  }

  /** Dev mode as the raw configuration (defaults merged with the operator's) asks for it. */
  public static boolean resolveDevMode(JsonObject json) {
    return resolveDevMode(json.getValue("devMode") instanceof String s ? s : null, nothingConfigured(json),
        isLoopback(json.getJsonObject("http", new JsonObject()).getValue("host") instanceof String h ? h : null));
  }

  /** No database, Redis, token keys, LiveKit secret or cluster configured: the zero-configuration start. */
  public static boolean nothingConfigured(JsonObject json) {
    return value(json, "db", "url") == null && value(json, "redis", "url") == null
        && value(json, "auth", "jwtSecret") == null && value(json, "auth", "jwksUrl") == null
        && value(json, "livekit", "apiSecret") == null
        && !Boolean.TRUE.equals(json.getJsonObject("cluster", new JsonObject()).getValue("enabled"));
  }

  private static Object value(JsonObject json, String section, String key) {
    Object v = json.getValue(section) instanceof JsonObject o ? o.getValue(key) : null;
    return v instanceof String s && s.isBlank() ? null : v;
  }

  /** Whether {@code host} (a literal address or {@code localhost}) is loopback; no name is looked up. */
  public static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.trim();
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  public static AppConfig from(JsonObject json) {
    Reader r = new Reader(json);
    JsonObject http = r.section("http");
    JsonObject db = r.section("db");
    JsonObject redis = r.section("redis");
    JsonObject auth = r.section("auth");
    JsonObject meetings = r.section("meetings");
    JsonObject gateway = r.section("gateway");
    JsonObject presence = r.section("presence");
    JsonObject calls = r.section("calls");
    JsonObject cluster = r.section("cluster");
    JsonObject livekit = r.section("livekit");
    JsonObject schedule = r.section("schedule");
    JsonObject guests = r.section("guests");
    JsonObject outbox = r.section("outbox");
    JsonObject console = r.section("console");
    JsonObject recordings = r.section("recordings");
    JsonObject webhooks = r.section("webhooks");
    JsonObject audit = r.section("audit");
    JsonObject interactions = r.section("interactions");

    Db dbConf =
        new Db(
            r.url(db, "db.url", "url", "postgresql", "postgres"),
            r.string(db, "db.user", "user"),
            r.string(db, "db.password", "password"),
            r.integer(db, "db.poolSize", "poolSize", 1, 500),
            r.integer(db, "db.waitQueue", "waitQueue", 1, 1_000_000),
            r.integer(db, "db.timeoutMillis", "timeoutMillis", 100, 600_000));
    RedisConf redisConf =
        new RedisConf(
            r.url(redis, "redis.url", "url", "redis", "rediss"),
            r.string(redis, "redis.password", "password"),
            r.integer(redis, "redis.poolSize", "poolSize", 1, 500),
            r.integer(redis, "redis.waitQueue", "waitQueue", 1, 1_000_000),
            r.integer(redis, "redis.timeoutMillis", "timeoutMillis", 100, 600_000),
            r.nonNull(r.string(redis, "redis.keyPrefix", "keyPrefix"), "redis.keyPrefix"));
    String dataDir = r.string(json, "dataDir", "dataDir");
    if (dataDir == null) {
      throw new ConfigException("dataDir", "must be set");
    }
    Auth authConf =
        new Auth(
            r.string(auth, "auth.jwtSecret", "jwtSecret"),
            r.url(auth, "auth.jwksUrl", "jwksUrl", "http", "https"),
            r.integer(auth, "auth.jwksRefreshSeconds", "jwksRefreshSeconds", 10, 86_400),
            r.string(auth, "auth.issuer", "issuer"),
            r.string(auth, "auth.audience", "audience"),
            r.integer(auth, "auth.leewaySeconds", "leewaySeconds", 0, 300),
            r.bool(auth, "auth.requireIssuer", "requireIssuer"),
            r.string(auth, "auth.devSecret", "devSecret"));
    if (authConf.jwtSecret() != null && authConf.jwtSecret().length() < 32) {
      throw new ConfigException("auth.jwtSecret", "must be at least 32 characters");
    }
    String host = r.nonNull(r.string(http, "http.host", "host"), "http.host");
    int tlsParts = (r.string(cluster, "cluster.tlsCertPath", "tlsCertPath") == null ? 0 : 1)
        + (r.string(cluster, "cluster.tlsKeyPath", "tlsKeyPath") == null ? 0 : 1)
        + (r.string(cluster, "cluster.tlsCaPath", "tlsCaPath") == null ? 0 : 1);
    if (tlsParts != 0 && tlsParts != 3) {
      throw new ConfigException("cluster.tlsCertPath", "set cluster.tlsCertPath, cluster.tlsKeyPath and"
          + " cluster.tlsCaPath together (event-bus mutual TLS), or none");
    }
    boolean dev = resolveDevMode(r.string(json, "devMode", "devMode"), nothingConfigured(json), isLoopback(host));
    if (!dev && authConf.jwtSecret() == null && authConf.jwksUrl() == null) {
      throw new ConfigException(
          "auth.jwtSecret", "set auth.jwtSecret (HS256) or auth.jwksUrl (RS256/ES256); none is configured");
    }
    if (!dev && authConf.requireIssuer() && authConf.unscoped()) {
      throw new ConfigException(authConf.issuer() == null ? "auth.issuer" : "auth.audience",
          "set auth.issuer and auth.audience outside dev mode: without them any token signed with the key is"
              + " accepted, whoever it was issued for (auth.requireIssuer=false accepts that, with a warning)");
    }
    if (!dev) {
      authConf = authConf.withDevSecret(null);
    } else if (authConf.devSecret() != null && authConf.devSecret().equals(authConf.jwtSecret())) {
      throw new ConfigException("auth.devSecret", "must differ from auth.jwtSecret: dev tokens never carry the host"
          + " app's signature");
    }
    return new AppConfig(
        new Http(
            host,
            r.integer(http, "http.port", "port", 0, 65_535),
            r.integer(http, "http.instances", "instances", 0, 256),
            r.integer(http, "http.maxBodyBytes", "maxBodyBytes", 1024, 64 * 1024 * 1024),
            r.url(http, "http.publicUrl", "publicUrl", "http", "https"),
            r.integer(http, "http.requestTimeoutMillis", "requestTimeoutMillis", 100, 600_000)),
        expandHome(dataDir),
        dev,
        new Cluster(
            r.bool(cluster, "cluster.enabled", "enabled"),
            r.nonNull(r.string(cluster, "cluster.name", "name"), "cluster.name"),
            r.nonNull(r.string(cluster, "cluster.members", "members"), "cluster.members"),
            r.integer(cluster, "cluster.hazelcastPort", "hazelcastPort", 1, 65_535),
            r.integer(cluster, "cluster.memberTimeoutSeconds", "memberTimeoutSeconds", 2, 600),
            r.string(cluster, "cluster.configFile", "configFile"),
            r.string(cluster, "cluster.host", "host"),
            r.integer(cluster, "cluster.port", "port", 0, 65_535),
            r.string(cluster, "cluster.publicHost", "publicHost"),
            r.string(cluster, "cluster.tlsCertPath", "tlsCertPath"),
            r.string(cluster, "cluster.tlsKeyPath", "tlsKeyPath"),
            r.string(cluster, "cluster.tlsCaPath", "tlsCaPath")),
        dbConf,
        redisConf,
        authConf,
        new Gateway(
            r.integer(gateway, "gateway.maxFrameBytes", "maxFrameBytes", 1024, 16 * 1024 * 1024),
            r.integer(gateway, "gateway.maxSubscriptions", "maxSubscriptions", 1, 100_000),
            r.integer(gateway, "gateway.ratePerSecond", "ratePerSecond", 1, 100_000),
            r.integer(gateway, "gateway.rateBurst", "rateBurst", 1, 100_000),
            r.integer(gateway, "gateway.writeQueueBytes", "writeQueueBytes", 1024, 64 * 1024 * 1024),
            r.integer(gateway, "gateway.overflowFrames", "overflowFrames", 0, 100_000),
            r.integer(gateway, "gateway.pingSeconds", "pingSeconds", 1, 3600),
            r.integer(gateway, "gateway.sweepMillis", "sweepMillis", 10, 60_000),
            r.bool(gateway, "gateway.compression", "compression"),
            r.integer(gateway, "gateway.compressionLevel", "compressionLevel", 1, 9),
            r.integer(gateway, "gateway.drainSeconds", "drainSeconds", 0, 3600),
            r.integer(gateway, "gateway.resumeSeconds", "resumeSeconds", 0, 3600),
            r.integer(gateway, "gateway.resumeFrames", "resumeFrames", 1, 10_000),
            r.integer(gateway, "gateway.resumeBytes", "resumeBytes", 1024, 16 * 1024 * 1024)),
        new Presence(
            r.integer(presence, "presence.heartbeatSeconds", "heartbeatSeconds", 1, 3600),
            r.integer(presence, "presence.graceMillis", "graceMillis", 0, 600_000),
            r.integer(presence, "presence.bulkSeconds", "bulkSeconds", 1, 3600),
            r.integer(presence, "presence.nodeLeaseSeconds", "nodeLeaseSeconds", 2, 300),
            r.integer(presence, "presence.sweepMillis", "sweepMillis", 10, 60_000),
            r.oneOf(presence, "presence.visibility", "visibility", "shared-meetings", "everyone"),
            r.integer(presence, "presence.visibilityCacheSeconds", "visibilityCacheSeconds", 0, 3600),
            r.integer(presence, "presence.forgetOfflineDays", "forgetOfflineDays", 1, 3650)),
        new Calls(
            r.integer(calls, "calls.ringSeconds", "ringSeconds", 1, 600),
            r.integer(calls, "calls.maxCallees", "maxCallees", 1, 1000),
            r.integer(calls, "calls.maxCallHours", "maxCallHours", 1, 48),
            r.integer(calls, "calls.sweepMillis", "sweepMillis", 10, 60_000)),
        liveKit(r, livekit, dev),
        new Schedule(
            r.integer(schedule, "schedule.sweepSeconds", "sweepSeconds", 1, 3600),
            r.integer(schedule, "schedule.batchSize", "batchSize", 1, 100_000),
            r.minutes(schedule, "schedule.reminderOffsetsMinutes", "reminderOffsetsMinutes"),
            r.integer(schedule, "schedule.atStartLapseMinutes", "atStartLapseMinutes", 0, 24 * 60),
            r.integer(schedule, "schedule.retentionHours", "retentionHours", 0, 24 * 3650),
            r.integer(schedule, "schedule.readNotificationDays", "readNotificationDays", 1, 3650),
            r.integer(schedule, "schedule.staleStayMinutes", "staleStayMinutes", 1, 24 * 60)),
        new Guests(
            r.integer(guests, "guests.linkOpensMinutesBefore", "linkOpensMinutesBefore", 0, 7 * 24 * 60),
            r.integer(guests, "guests.linkClosesMinutesAfter", "linkClosesMinutesAfter", 0, 7 * 24 * 60),
            r.integer(guests, "guests.sessionHours", "sessionHours", 1, 24 * 7),
            r.integer(guests, "guests.maxKeyBytes", "maxKeyBytes", 0, 1024 * 1024)),
        new Outbox(
            r.integer(outbox, "outbox.redeliverAfterSeconds", "redeliverAfterSeconds", 1, 3600),
            r.integer(outbox, "outbox.maxAttempts", "maxAttempts", 1, 1000),
            r.integer(outbox, "outbox.sweepMillis", "sweepMillis", 10, 60_000),
            r.integer(outbox, "outbox.batchSize", "batchSize", 1, 10_000)),
        new Meetings(
            r.integer(meetings, "meetings.maxParticipantsLimit", "maxParticipantsLimit", 2, 100_000),
            r.integer(meetings, "meetings.maxInviteesPerRequest", "maxInviteesPerRequest", 1, 10_000),
            r.integer(meetings, "meetings.maxDurationHours", "maxDurationHours", 1, 24 * 366),
            r.integer(meetings, "meetings.maxRecurrenceInstances", "maxRecurrenceInstances", 1, 1000)),
        new Console(resolveAuto(r.string(console, "console.enabled", "enabled"), dev, "console.enabled")),
        recordings(r, recordings),
        new Webhooks(
            r.seconds(webhooks, "webhooks.retryDelaysSeconds", "retryDelaysSeconds"),
            r.integer(webhooks, "webhooks.disableAfterFailures", "disableAfterFailures", 1, 100_000),
            resolveAuto(r.string(webhooks, "webhooks.allowPrivateTargets", "allowPrivateTargets"), dev,
                "webhooks.allowPrivateTargets"),
            r.string(webhooks, "webhooks.secretKey", "secretKey"),
            r.integer(webhooks, "webhooks.timeoutSeconds", "timeoutSeconds", 1, 300),
            r.integer(webhooks, "webhooks.maxInFlightPerWebhook", "maxInFlightPerWebhook", 1, 1000),
            r.integer(webhooks, "webhooks.sweepMillis", "sweepMillis", 10, 60_000),
            r.integer(webhooks, "webhooks.batchSize", "batchSize", 1, 10_000),
            r.integer(webhooks, "webhooks.keepDeliveriesDays", "keepDeliveriesDays", 1, 3650)),
        new Audit(r.integer(audit, "audit.retentionDays", "retentionDays", 1, 36_500)),
        new Interactions(
            r.integer(interactions, "interactions.chatLimit", "chatLimit", 1, 100_000),
            r.integer(interactions, "interactions.reactionLimit", "reactionLimit", 1, 100_000),
            r.integer(interactions, "interactions.windowSeconds", "windowSeconds", 1, 3600),
            r.integer(interactions, "interactions.pollResultsMillis", "pollResultsMillis", 50, 60_000)),
        limits(r, r.section("limits")));
  }

  private static Limits limits(Reader r, JsonObject json) {
    return new Limits(
        r.bool(json, "limits.enabled", "enabled"),
        r.integer(json, "limits.restPerIpPerSecond", "restPerIpPerSecond", 0, 1_000_000),
        r.integer(json, "limits.restPerIpBurst", "restPerIpBurst", 1, 1_000_000),
        r.integer(json, "limits.authFailuresPerIpPerMinute", "authFailuresPerIpPerMinute", 0, 1_000_000),
        r.integer(json, "limits.handshakesPerIpPerSecond", "handshakesPerIpPerSecond", 0, 1_000_000),
        r.integer(json, "limits.handshakesPerIpBurst", "handshakesPerIpBurst", 1, 1_000_000),
        r.integer(json, "limits.socketsPerUser", "socketsPerUser", 0, 100_000),
        r.integer(json, "limits.guestRegistrationsPerIpPerMinute", "guestRegistrationsPerIpPerMinute", 0, 1_000_000),
        r.integer(json, "limits.guestRegistrationsPerLinkPerMinute", "guestRegistrationsPerLinkPerMinute", 0, 1_000_000),
        r.integer(json, "limits.guestAsksPerSessionPerMinute", "guestAsksPerSessionPerMinute", 0, 1_000_000),
        r.integer(json, "limits.guestSessionsPerLink", "guestSessionsPerLink", 0, 1_000_000),
        r.integer(json, "limits.keyBundlesPerLink", "keyBundlesPerLink", 0, 1_000_000));
  }

  private static Recordings recordings(Reader r, JsonObject json) {
    String filePath = r.nonNull(r.string(json, "recordings.filePath", "filePath"), "recordings.filePath");
    if (!filePath.contains(Recordings.RECORDING_ID)) {
      throw new ConfigException("recordings.filePath", "must contain " + Recordings.RECORDING_ID
          + " (each recording is its own file), got '" + filePath + "'");
    }
    String fileType = r.nonNull(r.string(json, "recordings.fileType", "fileType"), "recordings.fileType");
    if (!fileType.equals("mp4") && !fileType.equals("ogg")) {
      throw new ConfigException("recordings.fileType", "expected mp4 or ogg, got '" + fileType + "'");
    }
    JsonObject s3 = json.getValue("s3") == null ? new JsonObject() : json.getValue("s3") instanceof JsonObject o ? o : null;
    if (s3 == null) {
      throw new ConfigException("recordings.s3", "expected an object");
    }
    String accessKey = r.string(s3, "recordings.s3.accessKey", "accessKey");
    String secret = r.string(s3, "recordings.s3.secret", "secret");
    if ((accessKey == null) != (secret == null)) {
      throw new ConfigException(accessKey == null ? "recordings.s3.accessKey" : "recordings.s3.secret",
          "set both recordings.s3.accessKey and recordings.s3.secret, or neither");
    }
    Object forcePathStyle = s3.getValue("forcePathStyle");
    return new Recordings(
        filePath,
        fileType,
        r.nonNull(r.string(json, "recordings.layout", "layout"), "recordings.layout"),
        new S3(
            r.string(s3, "recordings.s3.bucket", "bucket"),
            r.string(s3, "recordings.s3.region", "region"),
            r.url(s3, "recordings.s3.endpoint", "endpoint", "http", "https"),
            accessKey,
            secret,
            forcePathStyle != null && r.bool(s3, "recordings.s3.forcePathStyle", "forcePathStyle")),
        r.integer(json, "recordings.startTimeoutSeconds", "startTimeoutSeconds", 5, 3600),
        r.integer(json, "recordings.processingTimeoutMinutes", "processingTimeoutMinutes", 1, 24 * 60),
        r.integer(json, "recordings.reconcileSeconds", "reconcileSeconds", 1, 3600));
  }

  /** An on/off setting whose {@code auto} follows dev mode. */
  static boolean resolveAuto(String value, boolean devMode, String key) {
    return switch (value == null ? "auto" : value) {
      case "auto" -> devMode;
      case "on", "true" -> true;
      case "off", "false" -> false;
      default -> throw new ConfigException(key, "expected auto, on or off, got '" + value + "'");
    };
  }

  private static LiveKit liveKit(Reader r, JsonObject json, boolean dev) {
    String secret = r.string(json, "livekit.apiSecret", "apiSecret");
    if (secret == null) {
      if (!dev) {
        throw new ConfigException("livekit.apiSecret", "must be set (CONVENE_LIVEKIT_API_SECRET) outside dev mode");
      }
      secret = LIVEKIT_DEV_SECRET;
    }
    return new LiveKit(
        r.url(json, "livekit.url", "url", "ws", "wss", "http", "https"),
        r.nonNull(r.string(json, "livekit.apiKey", "apiKey"), "livekit.apiKey"),
        secret,
        r.integer(json, "livekit.tokenTtlSeconds", "tokenTtlSeconds", 60, 7 * 24 * 3600),
        r.integer(json, "livekit.emptyTimeoutSeconds", "emptyTimeoutSeconds", 0, 24 * 3600),
        r.integer(json, "livekit.webhookLeewaySeconds", "webhookLeewaySeconds", 0, 600),
        r.integer(json, "livekit.precreateMinutes", "precreateMinutes", 0, 60));
  }

  /** Number of HTTP verticle instances: the configured number, or one per core. */
  public int httpInstances() {
    return http.instances() > 0 ? http.instances() : Runtime.getRuntime().availableProcessors();
  }

  public static Path expandHome(String path) {
    if (path.equals("~") || path.startsWith("~/")) {
      return Path.of(System.getProperty("user.home"), path.substring(1).replaceFirst("^/", ""));
    }
    return Path.of(path);
  }

  private record Reader(JsonObject root) {
    JsonObject section(String key) {
      Object v = root.getValue(key);
      if (v == null) {
        return new JsonObject();
      }
      if (v instanceof JsonObject o) {
        return o;
      }
      throw new ConfigException(key, "expected an object");
    }

    String string(JsonObject o, String path, String key) {
      Object v = o.getValue(key);
      if (v == null) {
        return null;
      }
      if (v instanceof String s) {
        return s.isBlank() ? null : s;
      }
      throw new ConfigException(path, "expected a string, got " + v);
    }

    /** A comma-separated list of minute offsets, e.g. {@code 1440,60,15,0}. */
    List<Integer> minutes(JsonObject o, String path, String key) {
      String s = string(o, path, key);
      if (s == null) {
        return List.of();
      }
      java.util.TreeSet<Integer> out = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
      for (String part : s.split(",")) {
        try {
          int m = Integer.parseInt(part.trim());
          if (m < 0 || m > 60 * 24 * 30) {
            throw new NumberFormatException();
          }
          out.add(m);
        } catch (NumberFormatException e) {
          throw new ConfigException(path, "expected minutes between 0 and 43200, comma-separated, got '" + s + "'");
        }
      }
      return List.copyOf(out);
    }

    /** A comma-separated list of delays in seconds, in order, e.g. {@code 10,60,300,1800}. */
    List<Integer> seconds(JsonObject o, String path, String key) {
      String s = string(o, path, key);
      if (s == null) {
        throw new ConfigException(path, "must be set");
      }
      List<Integer> out = new java.util.ArrayList<>();
      for (String part : s.split(",")) {
        try {
          int v = Integer.parseInt(part.trim());
          if (v < 1 || v > 7 * 24 * 3600) {
            throw new NumberFormatException();
          }
          out.add(v);
        } catch (NumberFormatException e) {
          throw new ConfigException(path, "expected seconds between 1 and 604800, comma-separated, got '" + s + "'");
        }
      }
      if (out.size() > 50) {
        throw new ConfigException(path, "at most 50 retries");
      }
      return List.copyOf(out);
    }

    String oneOf(JsonObject o, String path, String key, String... allowed) {
      String s = nonNull(string(o, path, key), path);
      for (String a : allowed) {
        if (a.equals(s)) {
          return s;
        }
      }
      throw new ConfigException(path, "expected " + String.join(" or ", allowed) + ", got '" + s + "'");
    }

    boolean bool(JsonObject o, String path, String key) {
      Object v = o.getValue(key);
      if (v instanceof Boolean b) {
        return b;
      }
      throw new ConfigException(path, "expected true or false, got " + v);
    }

    String nonNull(String value, String path) {
      if (value == null) {
        throw new ConfigException(path, "must be set");
      }
      return value;
    }

    int integer(JsonObject o, String path, String key, int min, int max) {
      Object v = o.getValue(key);
      if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new ConfigException(path, "expected a whole number, got " + v);
      }
      long value = n.longValue();
      if (value < min || value > max) {
        throw new ConfigException(path, "must be between " + min + " and " + max + ", got " + value);
      }
      return (int) value;
    }

    String url(JsonObject o, String path, String key, String... schemes) {
      String s = string(o, path, key);
      if (s == null) {
        return null;
      }
      try {
        URI uri = URI.create(s);
        for (String scheme : schemes) {
          if (scheme.equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
            return s;
          }
        }
      } catch (IllegalArgumentException e) {
        // fall through to the error naming the key
      }
      throw new ConfigException(path, "expected a " + String.join("|", schemes) + ":// URL, got '" + s + "'");
    }
  }
}
