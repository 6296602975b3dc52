// Type declarations for the Convene JavaScript client (hand-written; the sources are plain ES modules).

export type ErrorCode =
  | 'too_late' | 'bad_request' | 'malformed_json' | 'unknown_type' | 'limit_exceeded' | 'validation_failed'
  | 'unauthorized' | 'token_expired' | 'forbidden' | 'banned' | 'not_found' | 'method_not_allowed' | 'conflict'
  | 'invalid_state' | 'meeting_full' | 'payload_too_large' | 'unsupported_media_type' | 'rate_limited'
  | 'internal_error' | 'unavailable'
  // the client's own
  | 'timeout' | 'disconnected' | 'closed' | 'network_error' | 'bad_response' | `http_${number}` | 'unknown';

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** A failed request, refused REST call, timeout or closed connection; `code` says which. */
export class ConveneError extends Error {
  constructor(message: string, options?: { code?: ErrorCode | string; status?: number; type?: string; errors?: FieldError[]; details?: unknown; cause?: unknown });
  readonly name: 'ConveneError';
  readonly code: ErrorCode | string;
  /** HTTP status, for REST errors. */
  readonly status?: number;
  /** The socket request type, for request errors. */
  readonly type?: string;
  /** Field errors of a `validation_failed` problem. */
  readonly errors?: FieldError[];
  /** The problem+json body or the ack's error object. */
  readonly details?: unknown;
  static fromResponse(status: number, body: unknown, text?: string): ConveneError;
  static fromAck(type: string, error: unknown): ConveneError;
}

export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
}
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy>;
/** Uniform in [0, min(maxDelayMs, initialDelayMs * factor^attempt)). */
export function backoffDelay(attempt: number, policy?: Partial<BackoffPolicy>, random?: () => number): number;

export const CloseCodes: Readonly<{
  NORMAL: 1000;
  GOING_AWAY: 1001;
  TOO_LARGE: 1009;
  SERVICE_RESTART: 1012;
  TOKEN_EXPIRED: 4001;
  REPLACED: 4003;
  SESSION_ENDED: 4004;
  RATE_LIMITED: 4008;
  TOO_SLOW: 4009;
  NO_SIGN_OF_LIFE: 4010;
  CLIENT_DROP: 4000;
}>;

// Wire shapes (docs/protocol.md, docs/openapi.yaml). Servers may add fields.

export type PresenceStatus = 'online' | 'offline';
export interface Presence {
  userId: string;
  status: PresenceStatus;
  lastSeen: string | null;
}

export interface Welcome {
  connectionId: string;
  userId: string;
  heartbeatSeconds: number;
  serverTime: string;
  /** Present when the server supports session resume. */
  resumeToken?: string;
  /** `false` when a resume was asked for and could not be honoured: refetch state. */
  resumed?: boolean;
  [key: string]: unknown;
}

export interface MeetingSettings {
  voiceOnly: boolean;
  muteOnJoin: boolean;
  waitingRoom: boolean;
  /** A recording starts when the meeting starts. */
  autoRecord: boolean;
  /** Who sees the meeting's recordings. */
  recordingAccess: 'owners' | 'participants' | 'public';
}
export type MeetingStatus = 'scheduled' | 'in_progress' | 'ended' | 'cancelled';
export type Role = 'owner' | 'manager' | 'member';

export interface Participant {
  userId: string;
  displayName: string | null;
  role: Role;
  status: 'invited' | 'accepted' | 'declined' | 'banned';
  invitedBy?: string;
  invitedAt?: string;
  respondedAt?: string | null;
}

export interface Meeting {
  meetingId: string;
  title: string;
  description: string | null;
  createdBy: string;
  startTime: string;
  endTime: string;
  status: MeetingStatus;
  isInstantCall: boolean;
  maxParticipants: number | null;
  allowExternal: boolean;
  settings: MeetingSettings;
  parentMeetingId?: string | null;
  startedAt?: string | null;
  endedAt?: string | null;
  uniqueParticipantCount?: number;
  createdAt?: string;
  updatedAt?: string;
  myRole?: Role | null;
  myStatus?: 'invited' | 'accepted' | 'declined' | null;
  participants?: Participant[];
  moreParticipants?: boolean;
  [key: string]: unknown;
}

export interface NewMeeting {
  title: string;
  description?: string;
  startTime: string;
  endTime: string;
  participantIds?: string[];
  maxParticipants?: number;
  allowExternal?: boolean;
  settings?: Partial<MeetingSettings>;
  recurrence?: { frequency: 'daily' | 'weekly' | 'monthly'; interval?: number; until?: string; count?: number };
}

export interface Callee {
  userId: string;
  status: 'ringing' | 'offline' | 'busy';
}
export interface PlacedCall extends Meeting {
  callerId: string;
  deadline: string;
  merged?: boolean;
  callees: Callee[];
}

export interface JoinDetails {
  serverUrl: string;
  token: string;
  roomName: string;
  identity: string;
  expiresAt: string;
  role?: Role | 'guest';
  permissions?: Record<string, unknown>;
  /** Whether the meeting is being recorded as you join. */
  recording?: { active: boolean; recordingId?: string; status?: RecordingStatus };
  [key: string]: unknown;
}

export type RecordingStatus = 'starting' | 'recording' | 'processing' | 'ready' | 'failed';
export interface Recording {
  recordingId: string;
  meetingId: string;
  status: RecordingStatus;
  auto: boolean;
  startedBy: string | null;
  stopRequested: boolean;
  stoppedBy: string | null;
  location: string | null;
  durationSeconds: number | null;
  sizeBytes: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
  [key: string]: unknown;
}
export interface Waiting {
  status: 'waiting';
  meetingId: string;
}

export interface Notification {
  notificationId: string;
  type: string;
  meetingId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

export interface JoinInfo {
  meetingId: string;
  title: string;
  startTime: string;
  hostName: string;
  status: MeetingStatus;
  valid: boolean;
  reason: 'too_early' | 'too_late' | 'ended' | 'cancelled' | null;
  validFrom: string;
  validUntil: string;
  canAskForAccess: boolean;
  [key: string]: unknown;
}

export interface GuestRegistration {
  sessionId: string;
  guestToken: string;
  meetingId: string;
  expiresAt: string;
}

export interface WaitingRoom {
  meetingId: string;
  members: { userId: string; displayName: string | null }[];
  guests: { sessionId: string; displayName: string }[];
}

/** Server events by name, with their `data`. */
export interface ServerEvents {
  'session:welcome': Welcome;
  'session:resumed': { replayed: number };
  'session:reconnect': { reason: string; retryAfterMs: number };
  'presence:update': Presence;
  'presence:bulk_update': { users: Presence[] };
  'presence:user_connected': { userId: string; connectionId: string };
  'presence:user_disconnected': { userId: string; connectionId: string };
  'notifications:unread': { items: Notification[] };
  'call:incoming': { meetingId: string; callerId: string; callerName: string | null; title: string; invitedBy: string; deadline: string };
  'call:ringing': { meetingId: string; userId: string; deadline: string };
  'call:accepted': { meetingId: string; userId: string };
  'call:declined': { meetingId: string; userId: string; reason: 'declined' | 'timeout' };
  'call:cancelled': { meetingId: string; reason: 'caller_cancelled' | 'answered_elsewhere' | 'declined_elsewhere' | 'call_ended' };
  'call:missed': { meetingId: string; callerId: string; callerName: string | null; title: string; notificationId: string };
  'call:left': { meetingId: string; userId: string };
  'call:ended': { meetingId: string; reason: 'declined' | 'no_answer' | 'cancelled' | 'unreachable' | 'everyone_left'; endedAt: string };
  'meeting:created': Meeting;
  'meeting:updated': Meeting & { updatedBy: string };
  'meeting:cancelled': { meetingId: string; cancelledBy: string; deleted?: boolean };
  'meeting:started': { meetingId: string; startedAt: string; startedBy: string | null };
  'meeting:ended': { meetingId: string; endedAt: string; endedBy: string | null; reason: string };
  'meeting:invited': Meeting & { invitedBy: string; role: Role };
  'meeting:live_invite_sent': { meetingId: string; title: string; invitedBy: string; isInstantCall: boolean };
  'meeting:participants_invited': { meetingId: string; userIds: string[]; invitedBy: string };
  'meeting:participant_responded': { meetingId: string; userId: string; status: string };
  'meeting:removed': { meetingId: string; banned: boolean; removedBy: string };
  'meeting:participant_removed': { meetingId: string; userId: string; banned: boolean; removedBy: string };
  'meeting:first_participant_joined': { meetingId: string };
  'meeting:guest_waiting': { meetingId: string; sessionId?: string; userId?: string; displayName: string | null };
  'meeting:guest_admitted': { meetingId: string; sessionId?: string; userId?: string; decidedBy: string };
  'meeting:guest_declined': { meetingId: string; sessionId?: string; userId?: string; decidedBy: string };
  'external:all_server_users_left': { meetingId: string; graceSeconds: number };
  'meeting:invite_link_generated': { meetingId: string; generatedBy: string };
  'meeting:reminder': { meetingId: string; title: string; startTime: string; offsetMinutes: number; kind: string; notificationId: string };
  'meeting:participant_joined': { meetingId: string; userId: string; displayName: string | null };
  'meeting:participant_left': { meetingId: string; userId: string };
  'meeting:muted': { meetingId: string; mutedBy: string };
  'meeting:role_changed': { meetingId: string; userId: string; role: Role; previousRole: Role; changedBy: string };
  'meeting:recording_started': { meetingId: string; recordingId: string; status: RecordingStatus; startedBy: string | null; auto: boolean; at: string };
  'meeting:recording_stopped': { meetingId: string; recordingId: string; status: RecordingStatus; reason: 'stopped' | 'meeting_ended' | 'egress_ended' | 'failed'; stoppedBy?: string; error?: string; at: string };
}

/** Requests by name: their `data` and their ack's `data`. */
export interface Requests {
  'presence:heartbeat': [Record<string, never>, Record<string, never>];
  'presence:subscribe': [{ userIds: string[] }, { users: Presence[] }];
  'presence:unsubscribe': [{ userIds: string[] }, { watching: number }];
  'call:accept': [{ meetingId: string }, { meetingId: string; already: boolean }];
  'call:decline': [{ meetingId: string }, { meetingId: string; already: boolean }];
  'call:cancel': [{ meetingId: string }, { meetingId: string; already: boolean }];
  'meeting:admit_guest': [{ meetingId: string; sessionId: string }, { sessionId: string; status: 'admitted' }];
  'meeting:decline_guest': [{ meetingId: string; sessionId: string }, { sessionId: string; status: 'declined' }];
}

export interface Frame<T = unknown> {
  type: string;
  id?: string | null;
  data?: T;
  ts?: string;
  seq?: number;
  ok?: boolean;
  error?: { code: string; message: string };
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Events the client itself emits (names without a colon). */
export interface LocalEvents {
  state: { state: ConnectionState; previous: ConnectionState };
  /** The socket is usable: after a welcome (`resumed: false`, refetch state) or a resume. */
  ready: { resumed: boolean; welcome?: Welcome; replayed?: number };
  disconnect: { code: number; reason: string; reconnect: boolean; delayMs: number };
  closed: { code: number; reason: string };
  /** Every presence report: subscribe acks, `presence:update`, `presence:bulk_update`. */
  presence: Presence;
  /** Every inbound frame, acks included (`{raw}` when not JSON). */
  frame: Frame | { raw: string };
  /** Every frame sent. */
  outbound: Frame;
}

export type TokenSource = string | (() => string | Promise<string>);

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  now(): number;
}

export interface ClientOptions {
  /** The server's base URL, `http(s)://host:port`; default: the page's origin. */
  url?: string;
  /** The socket URL when it is not `url` + `/ws`. */
  wsUrl?: string;
  /** The user's JWT, or a function giving a fresh one (then a 4001 close reconnects with a new token). */
  token?: TokenSource;
  /** A guest token (`gt_…`) instead of a user token. */
  guestToken?: string;
  /** A stable id of this device; a newer socket with the same id replaces the older (4003). */
  deviceId?: string;
  /** A WebSocket constructor; default: the global one. */
  WebSocket?: new (url: string) => WebSocketLike;
  /** For the REST helper; default: the global fetch. */
  fetch?: typeof fetch;
  /** How long a request waits for its ack, and a new socket for its welcome (10 s). */
  requestTimeoutMs?: number;
  /** `false` never reconnects. */
  reconnect?: false | (Partial<BackoffPolicy> & { maxAttempts?: number });
  /** Added to the backoff after a 4008 (rate limit) close; 5 s. */
  rateLimitPauseMs?: number;
  /** Send `presence:heartbeat` every `heartbeatSeconds` of the welcome (true). */
  heartbeat?: boolean;
  random?: () => number;
  timers?: Timers;
}

/** The part of the WebSocket interface the client uses. */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type Unsubscribe = () => void;

export class ConveneClient {
  constructor(options: ClientOptions);
  readonly rest: ConveneRest;
  readonly state: ConnectionState;
  readonly welcome: Welcome | null;
  readonly userId: string | null;
  readonly watched: string[];
  presenceOf(userId: string): Presence | null;

  on<K extends keyof ServerEvents>(type: K, fn: (data: ServerEvents[K], frame: Frame<ServerEvents[K]>) => void): Unsubscribe;
  on<K extends keyof LocalEvents>(type: K, fn: (data: LocalEvents[K]) => void): Unsubscribe;
  on(type: '*', fn: (frame: Frame) => void): Unsubscribe;
  on(type: string, fn: (data: any, frame?: Frame) => void): Unsubscribe;
  off(type: string, fn: (...args: any[]) => void): void;
  once<K extends keyof ServerEvents>(type: K, fn: (data: ServerEvents[K], frame: Frame<ServerEvents[K]>) => void): Unsubscribe;
  once<K extends keyof LocalEvents>(type: K, fn: (data: LocalEvents[K]) => void): Unsubscribe;
  once(type: string, fn: (data: any, frame?: Frame) => void): Unsubscribe;
  waitFor<K extends keyof ServerEvents>(type: K, predicate?: (data: ServerEvents[K]) => boolean, timeoutMs?: number): Promise<ServerEvents[K]>;
  waitFor<K extends keyof LocalEvents>(type: K, predicate?: (data: LocalEvents[K]) => boolean, timeoutMs?: number): Promise<LocalEvents[K]>;

  /** Resolves with the welcome once the socket is usable. */
  connect(): Promise<Welcome>;
  /** For good: no reconnect, pending requests fail with `closed`. */
  close(reason?: string): void;
  setToken(token: TokenSource): void;

  request<K extends keyof Requests>(type: K, data: Requests[K][0], options?: { timeoutMs?: number }): Promise<Requests[K][1]>;
  /** Any other request type (chat, hands, polls, …); the known ones above are checked. */
  request<T extends string>(type: T extends keyof Requests ? never : T, data?: Record<string, unknown>, options?: { timeoutMs?: number }): Promise<Record<string, unknown>>;

  subscribe(userIds: string[]): Promise<Presence[]>;
  unsubscribe(userIds: string[]): Promise<void>;

  startRecording(meetingId: string): Promise<Recording>;
  stopRecording(meetingId: string, recordingId: string): Promise<Recording>;
  recordings(meetingId: string, query?: { limit?: number; cursor?: string }): Promise<{ items: Recording[]; nextCursor?: string }>;
  getRecording(recordingId: string): Promise<Recording>;
  deleteRecording(recordingId: string): Promise<null>;

  placeCall(userIds: string[], options?: { title?: string }): Promise<PlacedCall>;
  accept(meetingId: string): Promise<{ meetingId: string; already: boolean }>;
  decline(meetingId: string): Promise<{ meetingId: string; already: boolean }>;
  cancel(meetingId: string): Promise<{ meetingId: string; already: boolean }>;
  hangUp(meetingId: string): Promise<{ meetingId: string; already: boolean }>;

  admitGuest(meetingId: string, sessionId: string): Promise<{ sessionId: string; status: 'admitted' }>;
  declineGuest(meetingId: string, sessionId: string): Promise<{ sessionId: string; status: 'declined' }>;
}

export interface RestOptions {
  url?: string;
  token?: TokenSource | null;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** `false`: send no token. */
  auth?: boolean;
  /** Overrides the helper's token for this call. */
  token?: string;
  timeoutMs?: number;
}

export class ConveneRest {
  constructor(options?: RestOptions);
  readonly baseUrl: string;
  setToken(token: TokenSource | null): void;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<T>;
  get<T = any>(path: string, options?: RequestOptions): Promise<T>;
  post<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;

  devToken(input: { userId: string; name?: string; roles?: string[]; ttlSeconds?: number }): Promise<{ userId: string; token: string; expiresAt: string }>;

  listMeetings(query?: { filter?: 'upcoming' | 'past' | 'my' | 'created'; q?: string; status?: MeetingStatus; type?: 'meeting' | 'call'; limit?: number; cursor?: string }): Promise<{ items: Meeting[]; nextCursor?: string }>;
  getMeeting(meetingId: string): Promise<Meeting>;
  createMeeting(meeting: NewMeeting): Promise<Meeting & { warnings?: unknown[] }>;
  participants(meetingId: string): Promise<{ items: Participant[]; nextCursor?: string }>;
  inviteParticipants(meetingId: string, userIds: string[]): Promise<{ invited: Participant[]; skipped: unknown[]; warnings: unknown[] }>;
  startMeeting(meetingId: string): Promise<Meeting>;
  endMeeting(meetingId: string): Promise<Meeting>;
  joinMeeting(meetingId: string): Promise<JoinDetails | Waiting>;
  leaveMeeting(meetingId: string): Promise<unknown>;
  generateLink(meetingId: string): Promise<{ token: string; url: string | null; validFrom: string; validUntil: string }>;
  waitingRoom(meetingId: string): Promise<WaitingRoom>;
  admitGuest(meetingId: string, sessionId: string): Promise<{ sessionId: string; status: string }>;
  declineGuest(meetingId: string, sessionId: string): Promise<{ sessionId: string; status: string }>;
  admitMember(meetingId: string, userId: string): Promise<{ userId: string; status: string }>;
  declineMember(meetingId: string, userId: string): Promise<{ userId: string; status: string }>;
  preview(meetingId: string): Promise<{ meetingId: string; title: string; status: MeetingStatus; startTime: string; participantCount: number; guestCount: number; inRoom?: string[]; invited?: string[] }>;

  startRecording(meetingId: string): Promise<Recording>;
  stopRecording(meetingId: string, recordingId: string): Promise<Recording>;
  recordings(meetingId: string, query?: { limit?: number; cursor?: string }): Promise<{ items: Recording[]; nextCursor?: string }>;
  getRecording(recordingId: string): Promise<Recording>;
  deleteRecording(recordingId: string): Promise<null>;

  placeCall(userIds: string[], options?: { title?: string }): Promise<PlacedCall>;
  getCall(meetingId: string): Promise<Meeting & { ring?: unknown }>;
  hangUp(meetingId: string): Promise<{ meetingId: string; already: boolean }>;

  presence(userIds: string[]): Promise<{ users: Presence[] }>;
  notifications(): Promise<{ items: Notification[] }>;
  markNotificationRead(notificationId: string): Promise<unknown>;

  joinInfo(invitationToken: string): Promise<JoinInfo>;
  registerGuest(input: { invitationToken: string; displayName: string; email?: string }): Promise<GuestRegistration>;
  askForAccess(sessionId: string): Promise<{ status: 'waiting' | 'admitted' }>;
  guestJoin(sessionId: string): Promise<JoinDetails>;
  endGuestSession(sessionId: string): Promise<null>;
}
