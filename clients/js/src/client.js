import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { Emitter } from './emitter.js';
import { ConveneError } from './errors.js';
import { ConveneRest, resolveToken } from './rest.js';

/** Close codes of the socket protocol (docs/protocol.md). */
export const CloseCodes = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  TOO_LARGE: 1009,
  SERVICE_RESTART: 1012,
  TOKEN_EXPIRED: 4001,
  REPLACED: 4003,
  SESSION_ENDED: 4004,
  RATE_LIMITED: 4008,
  TOO_SLOW: 4009,
  NO_SIGN_OF_LIFE: 4010,
  /** Used by this client when it drops a socket itself (no welcome, heartbeat unanswered, asked to move). */
  CLIENT_DROP: 4000,
});

/** Close codes after which reconnecting is pointless: another connection won, or the session is over. */
const FINAL_CLOSE_CODES = new Set([CloseCodes.REPLACED, CloseCodes.SESSION_ENDED]);

const SUBSCRIBE_CHUNK = 100;

/**
 * A client for the Convene socket protocol: one socket at a time, requests answered by acks as
 * promises, events to listeners, heartbeats, reconnects with backoff and full jitter, session resume
 * when the server offers it, and presence subscriptions that survive reconnects.
 *
 * States: `idle` → `connecting` → `open` ⇄ `reconnecting` → `closed` (final).
 *
 * Local events (no colon): `state` {state, previous}, `ready` {resumed, welcome?, replayed?},
 * `disconnect` {code, reason, reconnect, delayMs}, `closed` {code, reason}, `presence`
 * {userId, status, lastSeen}, `frame` (every inbound frame), `outbound` (every frame sent).
 * Server events keep their names (`call:incoming`, …) and get `(data, frame)`; `*` gets every event frame.
 */
export class ConveneClient {
  #url;
  #wsUrl;
  #token;
  #guestToken;
  #deviceId;
  #WebSocket;
  #timers;
  #random;
  #requestTimeoutMs;
  #backoff;
  #reconnectEnabled;
  #maxAttempts;
  #rateLimitPauseMs;
  #heartbeatEnabled;

  #emitter = new Emitter();
  #state = 'idle';
  #ws = null;
  #attempt = 0;
  #everReady = false;
  #reconnectTimer = null;
  #handshakeTimer = null;
  #heartbeatTimer = null;
  #moveTimer = null;
  #moveNotBefore = 0;
  #heartbeatMs = 60_000;
  #welcome = null;
  #resumeToken = null;
  #lastSeq = 0;
  #nextId = 0;
  #pending = new Map();
  #watched = new Set();
  #presence = new Map();
  #connectWaiters = [];

  /** REST helper using the same server and token. */
  rest;

  /**
   * @param {object} options
   * @param {string} [options.url] the server's base URL, `http(s)://host:port` (default: the page's origin)
   * @param {string} [options.wsUrl] the socket URL, when not `url` + `/ws`
   * @param {string | (() => string | Promise<string>)} [options.token] the user's JWT, or a function giving a fresh one
   * @param {string} [options.guestToken] a guest token (`gt_…`) instead of a user token
   * @param {string} [options.deviceId] a stable id of this device; a newer socket with the same id replaces the older
   * @param {typeof WebSocket} [options.WebSocket] a WebSocket constructor (default: the global one)
   * @param {typeof fetch} [options.fetch] for the REST helper
   * @param {number} [options.requestTimeoutMs] how long a request waits for its ack (and a socket for its welcome); 10 s
   * @param {false | {initialDelayMs?: number, maxDelayMs?: number, factor?: number, maxAttempts?: number}} [options.reconnect]
   * @param {number} [options.rateLimitPauseMs] extra pause after a 4008 close (5 s)
   * @param {boolean} [options.heartbeat] send `presence:heartbeat` every `heartbeatSeconds` (true)
   * @param {() => number} [options.random] for the jitter (Math.random)
   * @param {{setTimeout: Function, clearTimeout: Function, now: () => number}} [options.timers] a clock, for tests
   */
  constructor(options = {}) {
    const {
      url,
      wsUrl,
      token,
      guestToken,
      deviceId,
      WebSocket: WebSocketImpl,
      fetch,
      requestTimeoutMs = 10_000,
      reconnect = {},
      rateLimitPauseMs = 5_000,
      heartbeat = true,
      random = Math.random,
      timers,
    } = options;
    if ((token == null) === (guestToken == null)) {
      throw new TypeError('pass exactly one of options.token and options.guestToken');
    }
    const Impl = WebSocketImpl ?? globalThis.WebSocket;
    if (typeof Impl !== 'function') throw new TypeError('no WebSocket available: pass options.WebSocket');
    if (deviceId != null && !/^[\x21-\x7e]{1,128}$/.test(deviceId)) {
      throw new TypeError('deviceId must be 1-128 printable characters without spaces');
    }
    this.#url = trimSlash(url ?? globalThis.location?.origin ?? '');
    this.#wsUrl = wsUrl ?? `${this.#url.replace(/^http/i, 'ws')}/ws`;
    this.#token = token;
    this.#guestToken = guestToken;
    this.#deviceId = deviceId ?? null;
    this.#WebSocket = Impl;
    this.#timers = timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (id) => globalThis.clearTimeout(id),
      now: () => Date.now(),
    };
    this.#random = random;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#reconnectEnabled = reconnect !== false;
    this.#backoff = { ...DEFAULT_BACKOFF, ...(reconnect || {}) };
    this.#maxAttempts = (reconnect && reconnect.maxAttempts) ?? Infinity;
    this.#rateLimitPauseMs = rateLimitPauseMs;
    this.#heartbeatEnabled = heartbeat;
    this.rest = new ConveneRest({
      url: this.#url,
      token: () => (this.#guestToken != null ? this.#guestToken : resolveToken(this.#token)),
      fetch,
    });
  }

  /** `idle`, `connecting`, `open`, `reconnecting` or `closed`. */
  get state() {
    return this.#state;
  }

  /** The data of the last `session:welcome`. */
  get welcome() {
    return this.#welcome;
  }

  /** The user id of this session (`guest:<sessionId>` for a guest), once welcomed. */
  get userId() {
    return this.#welcome?.userId ?? null;
  }

  /** The users whose presence this client watches (re-subscribed after every reconnect). */
  get watched() {
    return [...this.#watched];
  }

  /** The last known presence of a watched user. */
  presenceOf(userId) {
    return this.#presence.get(userId) ?? null;
  }

  on(type, fn) {
    return this.#emitter.on(type, fn);
  }

  off(type, fn) {
    this.#emitter.off(type, fn);
  }

  once(type, fn) {
    return this.#emitter.once(type, fn);
  }

  /** Resolves with the data of the next `type` event for which `predicate` holds. */
  waitFor(type, predicate = () => true, timeoutMs = this.#requestTimeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        off();
        reject(new ConveneError(`no ${type} within ${timeoutMs} ms`, { code: 'timeout', type }));
      }, timeoutMs);
      const off = this.on(type, (data, frame) => {
        if (!predicate(data, frame)) return;
        off();
        this.#timers.clearTimeout(timer);
        resolve(data);
      });
    });
  }

  /** Opens the socket; resolves once the server welcomed it (or resumed the session). */
  connect() {
    if (this.#state === 'closed') {
      return Promise.reject(new ConveneError('the client is closed', { code: 'closed' }));
    }
    if (this.#state === 'open') return Promise.resolve(this.#welcome);
    const ready = new Promise((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (this.#state === 'idle') {
      this.#setState('connecting');
      this.#dial();
    }
    return ready;
  }

  /** Closes the socket for good: no reconnect; pending requests fail with `closed`. */
  close(reason = 'client closed') {
    if (this.#state === 'closed') return;
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(CloseCodes.NORMAL, reason);
      } catch {
        // already closing
      }
    }
    this.#finish(CloseCodes.NORMAL, reason);
  }

  /** Replaces the user token: used from the next (re)connect on. */
  setToken(token) {
    this.#token = token;
  }

  /**
   * Sends a request and resolves with its ack's `data`; rejects with a {@link ConveneError} carrying
   * the ack's `code`, or `timeout`, `disconnected` (the socket dropped before the ack) or `closed`.
   * While (re)connecting the request waits for the connection, within the same timeout.
   */
  request(type, data = {}, { timeoutMs = this.#requestTimeoutMs } = {}) {
    if (this.#state === 'closed') {
      return Promise.reject(new ConveneError('the client is closed', { code: 'closed', type }));
    }
    return new Promise((resolve, reject) => {
      const id = `r${++this.#nextId}`;
      const entry = { id, type, data, resolve, reject, sent: false, timer: null };
      entry.timer = this.#timers.setTimeout(() => {
        this.#pending.delete(id);
        reject(new ConveneError(`no answer to ${type} within ${timeoutMs} ms`, { code: 'timeout', type }));
      }, timeoutMs);
      this.#pending.set(id, entry);
      if (this.#state === 'open') this.#transmit(entry);
    });
  }

  // Presence

  /** Watches users' presence (kept across reconnects); resolves with their current state. */
  async subscribe(userIds) {
    const fresh = [...new Set(userIds)];
    for (const id of fresh) this.#watched.add(id);
    return this.#subscribeChunks(fresh);
  }

  async unsubscribe(userIds) {
    const ids = [...new Set(userIds)];
    for (const id of ids) {
      this.#watched.delete(id);
      this.#presence.delete(id);
    }
    if (this.#state !== 'open' || ids.length === 0) return;
    await this.request('presence:unsubscribe', { userIds: ids });
  }

  // Calls

  /** Rings users (REST `POST /api/calls/instant`). */
  placeCall(userIds, options) {
    return this.rest.placeCall(userIds, options);
  }

  accept(meetingId) {
    return this.request('call:accept', { meetingId });
  }

  decline(meetingId) {
    return this.request('call:decline', { meetingId });
  }

  /** The caller stops ringing the callees who have not answered. */
  cancel(meetingId) {
    return this.request('call:cancel', { meetingId });
  }

  /** Leaves a call (REST `DELETE /api/calls/{id}`). */
  hangUp(meetingId) {
    return this.rest.hangUp(meetingId);
  }

  // Lobby

  admitGuest(meetingId, sessionId) {
    return this.request('meeting:admit_guest', { meetingId, sessionId });
  }

  declineGuest(meetingId, sessionId) {
    return this.request('meeting:decline_guest', { meetingId, sessionId });
  }

  // Internals

  async #subscribeChunks(ids) {
    const users = [];
    for (let i = 0; i < ids.length; i += SUBSCRIBE_CHUNK) {
      const ack = await this.request('presence:subscribe', { userIds: ids.slice(i, i + SUBSCRIBE_CHUNK) });
      for (const u of ack.users ?? []) {
        this.#notePresence(u);
        users.push(u);
      }
    }
    return users;
  }

  #setState(state) {
    if (state === this.#state) return;
    const previous = this.#state;
    this.#state = state;
    this.#emitter.emit('state', { state, previous });
  }

  async #dial() {
    let credential;
    try {
      credential = this.#guestToken != null ? this.#guestToken : await resolveToken(this.#token);
    } catch (e) {
      this.#afterClose(CloseCodes.CLIENT_DROP, `no token: ${e?.message ?? e}`);
      return;
    }
    if (this.#state === 'closed') return;
    const params = new URLSearchParams();
    params.set(this.#guestToken != null ? 'guest_token' : 'access_token', credential);
    if (this.#deviceId) params.set('device_id', this.#deviceId);
    if (this.#resumeToken) {
      params.set('resume', this.#resumeToken);
      params.set('last_seq', String(this.#lastSeq));
    }
    let ws;
    try {
      ws = new this.#WebSocket(`${this.#wsUrl}?${params}`);
    } catch (e) {
      this.#afterClose(CloseCodes.CLIENT_DROP, `cannot open the socket: ${e?.message ?? e}`);
      return;
    }
    this.#ws = ws;
    ws.onmessage = (event) => {
      if (ws === this.#ws) this.#onText(event.data);
    };
    ws.onclose = (event) => {
      if (ws !== this.#ws) return;
      this.#ws = null;
      this.#afterClose(event.code, event.reason ?? '');
    };
    ws.onerror = () => {
      // a close event follows; it carries the code
    };
    this.#handshakeTimer = this.#timers.setTimeout(() => {
      this.#handshakeTimer = null;
      this.#drop(ws, 'no welcome from the server');
    }, this.#requestTimeoutMs);
  }

  /** Drops a socket this client gave up on, and reconnects as after a close. */
  #drop(ws, reason) {
    if (ws !== this.#ws) return;
    this.#ws = null;
    detach(ws);
    try {
      ws.close(CloseCodes.CLIENT_DROP, reason);
    } catch {
      // already closing
    }
    this.#afterClose(CloseCodes.CLIENT_DROP, reason);
  }

  #onText(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      this.#emitter.emit('frame', { raw: String(text) });
      return;
    }
    if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return;
    this.#emitter.emit('frame', frame);
    if (frame.type === 'ack') {
      this.#settle(frame);
      return;
    }
    const control = frame.type.startsWith('session:');
    if (frame.type === 'session:welcome') {
      this.#lastSeq = typeof frame.seq === 'number' ? frame.seq : 0;
    } else if (typeof frame.seq === 'number') {
      if (frame.seq <= this.#lastSeq && !control) return; // replayed twice: already seen
      this.#lastSeq = Math.max(this.#lastSeq, frame.seq);
    }
    const data = frame.data && typeof frame.data === 'object' ? frame.data : {};
    switch (frame.type) {
      case 'session:welcome':
        this.#onWelcome(data);
        break;
      case 'session:resumed':
        this.#becomeReady({ resumed: true, replayed: data.replayed ?? 0 });
        break;
      case 'session:reconnect':
        this.#onMoveRequest(data);
        break;
      case 'presence:update':
        this.#notePresence(data);
        break;
      case 'presence:bulk_update':
        for (const u of data.users ?? []) this.#notePresence(u);
        break;
      default:
        break;
    }
    this.#emitter.emit(frame.type, data, frame);
    this.#emitter.emit('*', frame);
  }

  #onWelcome(data) {
    this.#welcome = data;
    this.#resumeToken = typeof data.resumeToken === 'string' ? data.resumeToken : null;
    const seconds = Number(data.heartbeatSeconds);
    this.#heartbeatMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
    this.#becomeReady({ resumed: false, welcome: data });
  }

  #becomeReady(info) {
    if (this.#handshakeTimer) {
      this.#timers.clearTimeout(this.#handshakeTimer);
      this.#handshakeTimer = null;
    }
    const again = this.#everReady;
    this.#everReady = true;
    this.#attempt = 0;
    this.#setState('open');
    this.#scheduleHeartbeat();
    for (const entry of this.#pending.values()) {
      if (!entry.sent) this.#transmit(entry);
    }
    if (again && this.#watched.size > 0) {
      this.#subscribeChunks([...this.#watched]).catch(() => {
        // a reconnect retries; the next ready re-sends them all
      });
    }
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const w of waiters) w.resolve(this.#welcome);
    this.#emitter.emit('ready', info);
  }

  #scheduleHeartbeat() {
    if (!this.#heartbeatEnabled) return;
    if (this.#heartbeatTimer) this.#timers.clearTimeout(this.#heartbeatTimer);
    const ws = this.#ws;
    this.#heartbeatTimer = this.#timers.setTimeout(() => {
      this.#heartbeatTimer = null;
      if (ws !== this.#ws || this.#state !== 'open') return;
      this.request('presence:heartbeat', {}, { timeoutMs: Math.min(this.#requestTimeoutMs, this.#heartbeatMs) }).then(
        () => {
          if (ws === this.#ws) this.#scheduleHeartbeat();
        },
        (e) => {
          if (e.code === 'timeout') this.#drop(ws, 'heartbeat not acknowledged');
        },
      );
    }, this.#heartbeatMs);
  }

  /** `session:reconnect`: move to another node after `retryAfterMs`, whether or not this one closes first. */
  #onMoveRequest(data) {
    const wait = Math.max(0, Number(data.retryAfterMs) || 0);
    this.#moveNotBefore = this.#timers.now() + wait;
    if (this.#moveTimer) this.#timers.clearTimeout(this.#moveTimer);
    const ws = this.#ws;
    this.#moveTimer = this.#timers.setTimeout(() => {
      this.#moveTimer = null;
      this.#drop(ws, `asked to reconnect (${data.reason ?? 'no reason'})`);
    }, wait);
  }

  #transmit(entry) {
    const frame = { id: entry.id, type: entry.type, data: entry.data };
    try {
      this.#ws.send(JSON.stringify(frame));
      entry.sent = true;
      this.#emitter.emit('outbound', frame);
    } catch {
      // the socket is going away: the close handler fails or re-sends
    }
  }

  #settle(frame) {
    const entry = this.#pending.get(frame.id);
    if (!entry) return;
    this.#pending.delete(frame.id);
    this.#timers.clearTimeout(entry.timer);
    if (frame.ok) {
      entry.resolve(frame.data && typeof frame.data === 'object' ? frame.data : {});
    } else {
      entry.reject(ConveneError.fromAck(entry.type, frame.error));
    }
  }

  #notePresence(u) {
    if (!u || typeof u.userId !== 'string') return;
    const p = { userId: u.userId, status: u.status === 'online' ? 'online' : 'offline', lastSeen: u.lastSeen ?? null };
    this.#presence.set(p.userId, p);
    this.#emitter.emit('presence', p);
  }

  /** After a socket closed or was dropped: fail what waited on it, then reconnect or stop. */
  #afterClose(code, reason) {
    if (this.#state === 'closed') return;
    this.#clearTimers({ keepReconnect: true });
    for (const [id, entry] of this.#pending) {
      if (!entry.sent) continue;
      this.#pending.delete(id);
      this.#timers.clearTimeout(entry.timer);
      entry.reject(new ConveneError(`the connection closed before ${entry.type} was answered`, {
        code: 'disconnected',
        type: entry.type,
      }));
    }
    const plan = this.#plan(code);
    this.#emitter.emit('disconnect', { code, reason, reconnect: plan.reconnect, delayMs: plan.delayMs });
    if (!plan.reconnect) {
      this.#finish(code, reason);
      return;
    }
    this.#attempt++;
    this.#setState(this.#everReady ? 'reconnecting' : 'connecting');
    this.#reconnectTimer = this.#timers.setTimeout(() => {
      this.#reconnectTimer = null;
      this.#dial();
    }, plan.delayMs);
  }

  /** Whether, and after how long, to reconnect after a close with `code` (docs/protocol.md). */
  #plan(code) {
    if (!this.#reconnectEnabled || FINAL_CLOSE_CODES.has(code)) return { reconnect: false, delayMs: 0 };
    if (code === CloseCodes.TOKEN_EXPIRED && typeof this.#token !== 'function') {
      return { reconnect: false, delayMs: 0 }; // a fixed token stays expired: setToken() then connect()
    }
    if (this.#attempt >= this.#maxAttempts) return { reconnect: false, delayMs: 0 };
    const now = this.#timers.now();
    if (this.#moveNotBefore > now) {
      return { reconnect: true, delayMs: this.#moveNotBefore - now };
    }
    if (this.#moveNotBefore > 0) {
      this.#moveNotBefore = 0;
      return { reconnect: true, delayMs: 0 }; // asked to move and the wait is over
    }
    let delayMs;
    if (code === CloseCodes.GOING_AWAY) {
      delayMs = backoffDelay(0, this.#backoff, this.#random); // another node takes over: soon
    } else {
      delayMs = backoffDelay(this.#attempt, this.#backoff, this.#random);
      if (code === CloseCodes.RATE_LIMITED) delayMs += this.#rateLimitPauseMs;
    }
    return { reconnect: true, delayMs };
  }

  #finish(code, reason) {
    this.#clearTimers();
    this.#setState('closed');
    for (const entry of this.#pending.values()) {
      this.#timers.clearTimeout(entry.timer);
      entry.reject(new ConveneError(`the client closed (${code} ${reason})`.trim(), { code: 'closed', type: entry.type }));
    }
    this.#pending.clear();
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const w of waiters) {
      w.reject(new ConveneError(`the connection closed (${code}${reason ? ` ${reason}` : ''})`, { code: 'closed', details: { code, reason } }));
    }
    this.#emitter.emit('closed', { code, reason });
  }

  #clearTimers({ keepReconnect = false } = {}) {
    const t = this.#timers;
    if (this.#handshakeTimer) t.clearTimeout(this.#handshakeTimer);
    if (this.#heartbeatTimer) t.clearTimeout(this.#heartbeatTimer);
    if (this.#moveTimer) t.clearTimeout(this.#moveTimer);
    this.#handshakeTimer = null;
    this.#heartbeatTimer = null;
    this.#moveTimer = null;
    if (!keepReconnect && this.#reconnectTimer) {
      t.clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = null;
    }
  }
}

function detach(ws) {
  ws.onmessage = null;
  ws.onclose = null;
  ws.onerror = null;
}

function trimSlash(url) {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
