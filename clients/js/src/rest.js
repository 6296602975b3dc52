import { ConveneError } from './errors.js';

const seg = encodeURIComponent;

/**
 * A small REST helper: JSON in and out, the bearer token on every call that needs one, and
 * problem+json answers turned into a {@link ConveneError} carrying the server's `code`.
 */
export class ConveneRest {
  #baseUrl;
  #token;
  #fetch;
  #timeoutMs;

  /**
   * @param {object} options
   * @param {string} [options.url] the server's base URL (default: the page's origin)
   * @param {string | (() => string | Promise<string>)} [options.token] a user or guest token, or a function giving one
   * @param {typeof fetch} [options.fetch] a fetch implementation (default: the global one)
   * @param {number} [options.timeoutMs] per request (default 15 s)
   */
  constructor({ url, token, fetch: fetchImpl, timeoutMs = 15_000 } = {}) {
    this.#baseUrl = trimSlash(url ?? globalThis.location?.origin ?? '');
    this.#token = token;
    const f = fetchImpl ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('no fetch available: pass options.fetch');
    // Called detached: a browser's fetch refuses any `this` but the window.
    this.#fetch = (...args) => f(...args);
    this.#timeoutMs = timeoutMs;
  }

  get baseUrl() {
    return this.#baseUrl;
  }

  /** Replaces the token used from now on. */
  setToken(token) {
    this.#token = token;
  }

  /**
   * One call. `body` is sent as JSON; `auth: false` sends no token; `token` overrides it.
   * Resolves with the parsed JSON answer (null for 204).
   */
  async request(method, path, { body, query, auth = true, token, timeoutMs = this.#timeoutMs } = {}) {
    const headers = { Accept: 'application/json, application/problem+json' };
    const bearer = token ?? (auth ? await resolveToken(this.#token) : null);
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    const init = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    if (controller) init.signal = controller.signal;
    const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : null;
    let response;
    let text;
    try {
      response = await this.#fetch(this.#baseUrl + path + queryString(query), init);
      text = await response.text();
    } catch (e) {
      const timedOut = controller?.signal.aborted;
      throw new ConveneError(
        timedOut ? `${method} ${path}: no answer within ${timeoutMs} ms` : `${method} ${path}: ${e?.message ?? e}`,
        { code: timedOut ? 'timeout' : 'network_error', cause: e },
      );
    } finally {
      if (timer) clearTimeout(timer);
    }
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    if (!response.ok) throw ConveneError.fromResponse(response.status, json, text);
    if (response.status === 204 || !text) return null;
    if (json === null) throw new ConveneError(`${method} ${path}: the answer is not JSON`, { code: 'bad_response', status: response.status });
    return json;
  }

  get(path, options) {
    return this.request('GET', path, options);
  }

  post(path, body, options) {
    return this.request('POST', path, { ...options, body });
  }

  // Dev mode
  /** `POST /dev/token` (dev mode only): a token for any user id. */
  devToken({ userId, name, roles, ttlSeconds }) {
    const body = { userId };
    if (name) body.name = name;
    if (roles) body.roles = roles;
    if (ttlSeconds) body.ttlSeconds = ttlSeconds;
    return this.request('POST', '/dev/token', { body, auth: false });
  }

  // Meetings
  listMeetings({ filter, q, status, type, limit, cursor } = {}) {
    return this.get('/api/meetings', { query: { filter, q, status, type, limit, cursor } });
  }

  getMeeting(meetingId) {
    return this.get(`/api/meetings/${seg(meetingId)}`);
  }

  createMeeting(meeting) {
    return this.post('/api/meetings', meeting);
  }

  participants(meetingId) {
    return this.get(`/api/meetings/${seg(meetingId)}/participants`);
  }

  inviteParticipants(meetingId, userIds) {
    return this.post(`/api/meetings/${seg(meetingId)}/participants`, { userIds });
  }

  startMeeting(meetingId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/start`);
  }

  endMeeting(meetingId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/end`);
  }

  /** Enter the live room: LiveKit details, or `{status: "waiting"}` (202) in a waiting room. */
  joinMeeting(meetingId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/join`);
  }

  leaveMeeting(meetingId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/leave`);
  }

  generateLink(meetingId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/generate-link`);
  }

  waitingRoom(meetingId) {
    return this.get(`/api/meetings/${seg(meetingId)}/waiting-room`);
  }

  admitGuest(meetingId, sessionId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/guests/${seg(sessionId)}/admit`);
  }

  declineGuest(meetingId, sessionId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/guests/${seg(sessionId)}/decline`);
  }

  /** Lets a member waiting in the waiting room in (owner, manager). */
  admitMember(meetingId, userId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/waiting-room/${seg(userId)}/admit`);
  }

  declineMember(meetingId, userId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/waiting-room/${seg(userId)}/decline`);
  }

  preview(meetingId) {
    return this.get(`/api/meetings/${seg(meetingId)}/preview`);
  }

  // Recordings
  /** Starts recording a meeting in progress (owner, manager): `{recordingId, status: "starting"}`. */
  startRecording(meetingId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/recordings`);
  }

  stopRecording(meetingId, recordingId) {
    return this.request('POST', `/api/meetings/${seg(meetingId)}/recordings/${seg(recordingId)}/stop`);
  }

  recordings(meetingId, { limit, cursor } = {}) {
    return this.get(`/api/meetings/${seg(meetingId)}/recordings`, { query: { limit, cursor } });
  }

  /** One recording (a user or a guest token; who sees it follows the meeting's `recordingAccess`). */
  getRecording(recordingId) {
    return this.get(`/api/recordings/${seg(recordingId)}`);
  }

  /** Deletes a finished recording (owner); the file stays where LiveKit wrote it. */
  deleteRecording(recordingId) {
    return this.request('DELETE', `/api/recordings/${seg(recordingId)}`);
  }

  // Calls
  /** `POST /api/calls/instant`: rings every online callee; the answer says per callee `ringing|offline|busy`. */
  placeCall(userIds, { title } = {}) {
    const body = { participantIds: [...userIds] };
    if (title) body.title = title;
    return this.post('/api/calls/instant', body);
  }

  getCall(meetingId) {
    return this.get(`/api/calls/${seg(meetingId)}`);
  }

  /** Leave the call; the caller of a call nobody answered cancels it. */
  hangUp(meetingId) {
    return this.request('DELETE', `/api/calls/${seg(meetingId)}`);
  }

  // Presence and notifications
  presence(userIds) {
    return this.get('/api/presence/users', { query: { ids: [...userIds].join(',') } });
  }

  notifications() {
    return this.get('/api/notifications');
  }

  markNotificationRead(notificationId) {
    return this.request('POST', `/api/notifications/${seg(notificationId)}/read`);
  }

  // Guests
  /** What an invitation link shows (no token needed). */
  joinInfo(invitationToken) {
    return this.request('GET', `/api/external/join/${seg(invitationToken)}`, { auth: false });
  }

  /** Registers a guest; the answer carries `sessionId` and `guestToken`. */
  registerGuest({ invitationToken, displayName, email }) {
    const body = { invitationToken, displayName };
    if (email) body.email = email;
    return this.request('POST', '/api/external/register', { body, auth: false });
  }

  /** The guest knocks (guest token). */
  askForAccess(sessionId) {
    return this.request('POST', `/api/external/session/${seg(sessionId)}/ask`);
  }

  /** An admitted guest's LiveKit details (guest token). */
  guestJoin(sessionId) {
    return this.request('POST', `/api/external/session/${seg(sessionId)}/join`);
  }

  endGuestSession(sessionId) {
    return this.request('DELETE', `/api/external/session/${seg(sessionId)}`);
  }
}

export async function resolveToken(token) {
  if (typeof token === 'function') return await token();
  return token ?? null;
}

function queryString(query) {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function trimSlash(url) {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
