import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { CloseCodes, ConveneClient, ConveneError } from '../../src/index.js';
import { FakeWebSocket, ManualTimers, recordingFetch, settle } from './fakes.js';

let timers;

function client(options = {}) {
  return new ConveneClient({
    url: 'http://convene.test:8080',
    token: 'jwt-alice',
    WebSocket: FakeWebSocket,
    timers,
    random: () => 0.5,
    ...options,
  });
}

/** A client connected and welcomed; returns it and its socket. */
async function connected(options = {}, welcome = {}) {
  const c = client(options);
  const ready = c.connect();
  await settle();
  const ws = FakeWebSocket.last;
  ws.welcome(welcome);
  await ready;
  return { c, ws };
}

beforeEach(() => {
  FakeWebSocket.reset();
  timers = new ManualTimers();
});

describe('connecting', () => {
  test('connects to /ws with the access token and device id, and is open after the welcome', async () => {
    const c = client({ deviceId: 'laptop-1' });
    const states = [];
    c.on('state', (s) => states.push(s.state));
    const ready = c.connect();
    assert.equal(c.state, 'connecting');
    await settle();
    const ws = FakeWebSocket.last;
    assert.equal(ws.url.origin, 'ws://convene.test:8080');
    assert.equal(ws.url.pathname, '/ws');
    assert.equal(ws.url.searchParams.get('access_token'), 'jwt-alice');
    assert.equal(ws.url.searchParams.get('device_id'), 'laptop-1');
    assert.equal(ws.url.searchParams.has('resume'), false);
    ws.open();
    assert.equal(c.state, 'connecting', 'a socket is not usable before its welcome');
    ws.deliver({ type: 'session:welcome', data: { connectionId: 'c_9', userId: 'alice', heartbeatSeconds: 60 } });
    const welcome = await ready;
    assert.equal(welcome.connectionId, 'c_9');
    assert.equal(c.userId, 'alice');
    assert.deepEqual(states, ['connecting', 'open']);
  });

  test('a guest connects with guest_token', async () => {
    const c = client({ token: undefined, guestToken: 'gt_abc' });
    c.connect();
    await settle();
    assert.equal(FakeWebSocket.last.url.searchParams.get('guest_token'), 'gt_abc');
    assert.equal(FakeWebSocket.last.url.searchParams.has('access_token'), false);
  });

  test('https base URLs give wss sockets', async () => {
    const c = client({ url: 'https://example.test/' });
    c.connect();
    await settle();
    assert.equal(FakeWebSocket.last.url.href.split('?')[0], 'wss://example.test/ws');
  });

  test('refuses options with both or neither token, or a malformed device id', () => {
    assert.throws(() => client({ guestToken: 'gt_x' }), TypeError);
    assert.throws(() => client({ token: undefined }), TypeError);
    assert.throws(() => client({ deviceId: 'has space' }), TypeError);
  });

  test('a socket that sends no welcome in time is dropped and retried', async () => {
    const c = client({ requestTimeoutMs: 2000 });
    c.connect();
    await settle();
    const first = FakeWebSocket.last;
    first.open();
    timers.advance(1999);
    assert.equal(first.closed, null);
    timers.advance(1);
    assert.equal(first.closed.code, CloseCodes.CLIENT_DROP);
    assert.equal(c.state, 'connecting');
    timers.advance(30_000);
    await settle();
    assert.equal(FakeWebSocket.all.length, 2);
  });
});

describe('requests', () => {
  test('an ack resolves the request with its data', async () => {
    const { c, ws } = await connected();
    const answer = c.request('presence:subscribe', { userIds: ['bob'] });
    const sent = ws.lastRequest('presence:subscribe');
    assert.deepEqual(sent.data, { userIds: ['bob'] });
    assert.match(sent.id, /^r\d+$/);
    ws.deliver({ type: 'ack', id: sent.id, ok: true, data: { users: [] } });
    assert.deepEqual(await answer, { users: [] });
  });

  test("an error ack rejects with a ConveneError carrying the ack's code", async () => {
    const { c, ws } = await connected();
    const answer = c.accept('call_1');
    ws.nack('call:accept', 'too_late', 'answered on another device');
    await assert.rejects(answer, (e) => {
      assert.ok(e instanceof ConveneError);
      assert.equal(e.code, 'too_late');
      assert.equal(e.message, 'answered on another device');
      assert.equal(e.type, 'call:accept');
      return true;
    });
  });

  test('a request without an ack in time rejects with code timeout', async () => {
    const { c } = await connected({ requestTimeoutMs: 1000 });
    const answer = c.request('presence:unsubscribe', { userIds: ['bob'] });
    timers.advance(1000);
    await assert.rejects(answer, { code: 'timeout' });
  });

  test('acks for unknown ids are ignored', async () => {
    const { c, ws } = await connected();
    ws.deliver({ type: 'ack', id: 'nope', ok: true, data: {} });
    ws.deliver({ type: 'ack', id: null, ok: false, error: { code: 'malformed_json', message: 'x' } });
    assert.equal(c.state, 'open');
  });

  test('a request made while connecting is sent once the socket is welcomed', async () => {
    const c = client();
    c.connect();
    const answer = c.decline('call_2');
    await settle();
    const ws = FakeWebSocket.last;
    assert.equal(ws.sent.length, 0);
    ws.welcome();
    ws.ack('call:decline', { meetingId: 'call_2', already: false });
    assert.deepEqual(await answer, { meetingId: 'call_2', already: false });
  });

  test('a request in flight when the socket drops rejects with code disconnected', async () => {
    const { c, ws } = await connected();
    const answer = c.cancel('call_3');
    ws.serverClose(1006);
    await assert.rejects(answer, { code: 'disconnected' });
  });

  test('call helpers send call:accept, call:decline and call:cancel with the meeting id', async () => {
    const { c, ws } = await connected();
    c.accept('call_a');
    c.decline('call_b');
    c.cancel('call_c');
    assert.deepEqual(ws.sent.map((f) => [f.type, f.data]), [
      ['call:accept', { meetingId: 'call_a' }],
      ['call:decline', { meetingId: 'call_b' }],
      ['call:cancel', { meetingId: 'call_c' }],
    ]);
  });

  test('lobby helpers send meeting:admit_guest and meeting:decline_guest', async () => {
    const { c, ws } = await connected();
    c.admitGuest('mtg_1', 'gst_1');
    c.declineGuest('mtg_1', 'gst_2');
    assert.deepEqual(ws.sent.map((f) => [f.type, f.data]), [
      ['meeting:admit_guest', { meetingId: 'mtg_1', sessionId: 'gst_1' }],
      ['meeting:decline_guest', { meetingId: 'mtg_1', sessionId: 'gst_2' }],
    ]);
  });

  test('placeCall posts to /api/calls/instant with the bearer token', async () => {
    const { fetch, calls } = recordingFetch({ status: 201, body: { meetingId: 'call_x', callees: [{ userId: 'bob', status: 'ringing' }] } });
    const c = client({ fetch });
    const placed = await c.placeCall(['bob'], { title: 'Quick one' });
    assert.equal(placed.meetingId, 'call_x');
    assert.equal(calls[0].url, 'http://convene.test:8080/api/calls/instant');
    assert.equal(calls[0].method, 'POST');
    assert.equal(calls[0].headers.Authorization, 'Bearer jwt-alice');
    assert.deepEqual(calls[0].body, { participantIds: ['bob'], title: 'Quick one' });
  });
});

describe('events', () => {
  test('listeners get the data and the frame; off stops them; * sees every event', async () => {
    const { c, ws } = await connected();
    const got = [];
    const all = [];
    const fn = (data, frame) => got.push([data.meetingId, frame.ts]);
    c.on('call:incoming', fn);
    c.on('*', (frame) => all.push(frame.type));
    ws.deliver({ type: 'call:incoming', data: { meetingId: 'call_1', callerId: 'bob' }, ts: 't1' });
    c.off('call:incoming', fn);
    ws.deliver({ type: 'call:incoming', data: { meetingId: 'call_2', callerId: 'bob' }, ts: 't2' });
    assert.deepEqual(got, [['call_1', 't1']]);
    assert.deepEqual(all, ['call:incoming', 'call:incoming']);
  });

  test('on returns an unsubscribe function; a throwing listener does not stop the others', async () => {
    const { c, ws } = await connected();
    const seen = [];
    const errors = [];
    const original = globalThis.reportError;
    globalThis.reportError = (e) => errors.push(e);
    try {
      c.on('meeting:started', () => {
        throw new Error('boom');
      });
      const off = c.on('meeting:started', (d) => seen.push(d.meetingId));
      ws.deliver({ type: 'meeting:started', data: { meetingId: 'mtg_1' } });
      off();
      ws.deliver({ type: 'meeting:started', data: { meetingId: 'mtg_2' } });
    } finally {
      globalThis.reportError = original;
    }
    assert.deepEqual(seen, ['mtg_1']);
    assert.equal(errors.length, 2);
  });

  test('frame and outbound see the traffic, including frames that are not JSON', async () => {
    const { c, ws } = await connected();
    const inbound = [];
    const outbound = [];
    c.on('frame', (f) => inbound.push(f));
    c.on('outbound', (f) => outbound.push(f.type));
    ws.deliver('not json');
    c.request('presence:heartbeat', {});
    assert.deepEqual(inbound, [{ raw: 'not json' }]);
    assert.deepEqual(outbound, ['presence:heartbeat']);
  });

  test('waitFor resolves with the first event that matches', async () => {
    const { c, ws } = await connected();
    const waiting = c.waitFor('call:accepted', (d) => d.userId === 'bob');
    ws.deliver({ type: 'call:accepted', data: { meetingId: 'call_1', userId: 'carol' } });
    ws.deliver({ type: 'call:accepted', data: { meetingId: 'call_1', userId: 'bob' } });
    assert.equal((await waiting).userId, 'bob');
  });
});

describe('heartbeats', () => {
  test('sends presence:heartbeat every heartbeatSeconds of the welcome', async () => {
    const { ws } = await connected({}, { heartbeatSeconds: 20 });
    timers.advance(19_999);
    assert.equal(ws.requests('presence:heartbeat').length, 0);
    timers.advance(1);
    assert.equal(ws.requests('presence:heartbeat').length, 1);
    ws.ack('presence:heartbeat');
    await settle();
    timers.advance(20_000);
    assert.equal(ws.requests('presence:heartbeat').length, 2);
  });

  test('an unanswered heartbeat drops the socket and reconnects', async () => {
    const { c, ws } = await connected({ requestTimeoutMs: 5000 }, { heartbeatSeconds: 20 });
    timers.advance(20_000);
    assert.equal(ws.requests('presence:heartbeat').length, 1);
    timers.advance(5000);
    await settle();
    assert.equal(ws.closed?.code, CloseCodes.CLIENT_DROP);
    assert.equal(c.state, 'reconnecting');
    timers.advance(1000);
    await settle();
    assert.equal(FakeWebSocket.all.length, 2);
  });
});

describe('reconnecting', () => {
  test('backs off exponentially with full jitter, and starts over after a welcome', async () => {
    const { c, ws } = await connected({ reconnect: { initialDelayMs: 1000, maxDelayMs: 8000 } });
    const delays = [];
    c.on('disconnect', (d) => delays.push(d.delayMs));
    ws.serverClose(1006);
    for (let i = 0; i < 5; i++) {
      const before = FakeWebSocket.all.length;
      const delay = delays[delays.length - 1];
      timers.advance(delay - 1);
      await settle();
      assert.equal(FakeWebSocket.all.length, before, `no socket before the delay (${delay} ms) ran out`);
      timers.advance(1);
      await settle();
      assert.equal(FakeWebSocket.all.length, before + 1);
      FakeWebSocket.last.serverClose(1006);
    }
    // random() = 0.5: half of min(8000, 1000 * 2^attempt)
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 4000, 4000]);
    assert.equal(c.state, 'reconnecting');
    timers.advance(4000);
    await settle();
    FakeWebSocket.last.welcome();
    assert.equal(c.state, 'open');
    FakeWebSocket.last.serverClose(1006);
    assert.equal(delays[delays.length - 1], 500, 'the attempt count starts over after a welcome');
  });

  test('the jitter spans zero to the cap', async () => {
    let r = 0;
    const { c, ws } = await connected({ random: () => r, reconnect: { initialDelayMs: 1000 } });
    const delays = [];
    c.on('disconnect', (d) => delays.push(d.delayMs));
    ws.serverClose(1006);
    r = 0.999;
    await settle();
    timers.advance(0);
    await settle();
    FakeWebSocket.last.serverClose(1006);
    assert.deepEqual(delays, [0, 1998]);
  });

  for (const [code, name] of [[4003, 'replaced'], [4004, 'guest session ended']]) {
    test(`close ${code} (${name}) does not reconnect`, async () => {
      const { c, ws } = await connected();
      const events = [];
      c.on('disconnect', (d) => events.push(['disconnect', d.code, d.reconnect]));
      c.on('closed', (d) => events.push(['closed', d.code]));
      ws.serverClose(code, name);
      assert.equal(c.state, 'closed');
      timers.advance(120_000);
      await settle();
      assert.equal(FakeWebSocket.all.length, 1);
      assert.deepEqual(events, [['disconnect', code, false], ['closed', code]]);
      await assert.rejects(c.request('presence:heartbeat', {}), { code: 'closed' });
    });
  }

  test('a final close before the first welcome rejects connect()', async () => {
    const c = client();
    const ready = c.connect();
    await settle();
    FakeWebSocket.last.serverClose(4004, 'guest session ended');
    await assert.rejects(ready, { code: 'closed' });
  });

  test('4001 with a fixed token stops; with a token function it reconnects with a fresh token', async () => {
    const fixed = await connected();
    fixed.ws.serverClose(4001, 'token expired');
    assert.equal(fixed.c.state, 'closed');

    let n = 0;
    const { c, ws } = await connected({ token: async () => `jwt-${++n}` });
    assert.equal(ws.url.searchParams.get('access_token'), 'jwt-1');
    ws.serverClose(4001, 'token expired');
    assert.equal(c.state, 'reconnecting');
    timers.advance(1000);
    await settle();
    assert.equal(FakeWebSocket.last.url.searchParams.get('access_token'), 'jwt-2');
  });

  test('1001 (server shutting down) reconnects within the first backoff step', async () => {
    const { c, ws } = await connected({ reconnect: { initialDelayMs: 400 } });
    let delay;
    c.on('disconnect', (d) => (delay = d.delayMs));
    // several failures first: 1001 still comes back soon
    ws.serverClose(1006);
    timers.advance(200);
    await settle();
    FakeWebSocket.last.serverClose(1006);
    timers.advance(400);
    await settle();
    FakeWebSocket.last.serverClose(1001, 'server shutting down');
    assert.ok(delay < 400, `delay ${delay}`);
  });

  test('4008 (rate limited) pauses before reconnecting', async () => {
    const { c, ws } = await connected({ rateLimitPauseMs: 5000 });
    let delay;
    c.on('disconnect', (d) => (delay = d.delayMs));
    ws.serverClose(4008, 'rate limit exceeded');
    assert.ok(delay >= 5000, `delay ${delay}`);
  });

  test('reconnect: false never reconnects', async () => {
    const { c, ws } = await connected({ reconnect: false });
    ws.serverClose(1006);
    assert.equal(c.state, 'closed');
  });

  test('maxAttempts gives up after that many failed attempts', async () => {
    const { c, ws } = await connected({ reconnect: { maxAttempts: 2, initialDelayMs: 100 } });
    ws.serverClose(1006);
    for (let i = 0; i < 2; i++) {
      timers.advance(1000);
      await settle();
      FakeWebSocket.last.serverClose(1006);
    }
    assert.equal(c.state, 'closed');
    assert.equal(FakeWebSocket.all.length, 3);
  });

  test('close() stops for good and fails pending requests with closed', async () => {
    const { c, ws } = await connected();
    const answer = c.request('presence:subscribe', { userIds: ['bob'] });
    c.close();
    assert.equal(ws.closed.code, 1000);
    assert.equal(c.state, 'closed');
    await assert.rejects(answer, { code: 'closed' });
    timers.advance(120_000);
    await settle();
    assert.equal(FakeWebSocket.all.length, 1);
  });
});

describe('presence', () => {
  test('subscriptions resolve with the current state and are re-sent after every reconnect', async () => {
    const { c, ws } = await connected();
    const reports = [];
    c.on('presence', (p) => reports.push(`${p.userId}:${p.status}`));
    const subscribed = c.subscribe(['bob', 'carol']);
    ws.ack('presence:subscribe', { users: [{ userId: 'bob', status: 'online', lastSeen: 'now' }, { userId: 'carol', status: 'offline', lastSeen: null }] });
    assert.equal((await subscribed).length, 2);
    assert.equal(c.presenceOf('bob').status, 'online');

    ws.deliver({ type: 'presence:update', data: { userId: 'bob', status: 'offline', lastSeen: 't' } });
    ws.deliver({ type: 'presence:bulk_update', data: { users: [{ userId: 'carol', status: 'online', lastSeen: 't' }] } });
    assert.deepEqual(reports, ['bob:online', 'carol:offline', 'bob:offline', 'carol:online']);

    const unsubscribed = c.unsubscribe(['carol']);
    assert.deepEqual(ws.lastRequest('presence:unsubscribe').data, { userIds: ['carol'] });
    ws.ack('presence:unsubscribe', { watching: 1 });
    await unsubscribed;
    assert.deepEqual(c.watched, ['bob']);
    ws.serverClose(1006);
    timers.advance(1000);
    await settle();
    const second = FakeWebSocket.last;
    assert.notEqual(second, ws);
    second.welcome();
    await settle();
    assert.deepEqual(second.lastRequest('presence:subscribe').data, { userIds: ['bob'] });
    second.ack('presence:subscribe', { users: [{ userId: 'bob', status: 'online', lastSeen: 'now' }] });
    await settle();
    assert.equal(reports[reports.length - 1], 'bob:online');
  });
});

describe('session resume', () => {
  test('without a resumeToken the reconnect asks for no resume, and ready says not resumed', async () => {
    const { c, ws } = await connected();
    ws.serverClose(1006);
    timers.advance(1000);
    await settle();
    assert.equal(FakeWebSocket.last.url.searchParams.has('resume'), false);
    const ready = c.waitFor('ready');
    FakeWebSocket.last.welcome();
    assert.equal((await ready).resumed, false);
  });

  test('reconnects with resume and last_seq, drops replayed duplicates, and reports the resume', async () => {
    const { c, ws } = await connected({}, { resumeToken: 'rt_1' });
    const incoming = [];
    c.on('call:incoming', (d) => incoming.push(d.meetingId));
    ws.deliver({ type: 'call:incoming', data: { meetingId: 'call_1' }, seq: 1 });
    ws.deliver({ type: 'call:incoming', data: { meetingId: 'call_2' }, seq: 2 });
    ws.serverClose(1006);
    timers.advance(1000);
    await settle();
    const second = FakeWebSocket.last;
    assert.equal(second.url.searchParams.get('resume'), 'rt_1');
    assert.equal(second.url.searchParams.get('last_seq'), '2');
    const ready = c.waitFor('ready');
    second.open();
    second.deliver({ type: 'call:incoming', data: { meetingId: 'call_2' }, seq: 2 });
    second.deliver({ type: 'call:incoming', data: { meetingId: 'call_3' }, seq: 3 });
    second.deliver({ type: 'session:resumed', data: { replayed: 1 } });
    assert.deepEqual(await ready, { resumed: true, replayed: 1 });
    assert.equal(c.state, 'open');
    assert.deepEqual(incoming, ['call_1', 'call_2', 'call_3']);
  });

  test('a fresh welcome after a failed resume starts the sequence over', async () => {
    const { c, ws } = await connected({}, { resumeToken: 'rt_1' });
    ws.deliver({ type: 'meeting:started', data: { meetingId: 'm' }, seq: 7 });
    ws.serverClose(1006);
    timers.advance(1000);
    await settle();
    const ready = c.waitFor('ready');
    const second = FakeWebSocket.last;
    second.welcome({ resumed: false, resumeToken: 'rt_2' });
    const info = await ready;
    assert.equal(info.resumed, false);
    const seen = [];
    c.on('meeting:started', (d) => seen.push(d.meetingId));
    second.deliver({ type: 'meeting:started', data: { meetingId: 'fresh' }, seq: 1 });
    assert.deepEqual(seen, ['fresh']);
    second.serverClose(1006);
    timers.advance(1000);
    await settle();
    assert.equal(FakeWebSocket.last.url.searchParams.get('resume'), 'rt_2');
    assert.equal(FakeWebSocket.last.url.searchParams.get('last_seq'), '1');
  });

  test('session:reconnect: moves after retryAfterMs even if the server has not closed yet', async () => {
    const { c, ws } = await connected();
    ws.deliver({ type: 'session:reconnect', data: { reason: 'draining', retryAfterMs: 3000 } });
    timers.advance(2999);
    assert.equal(ws.closed, null);
    timers.advance(1);
    assert.equal(ws.closed.code, CloseCodes.CLIENT_DROP);
    await settle();
    timers.advance(0);
    await settle();
    assert.equal(FakeWebSocket.all.length, 2);
    assert.equal(c.state, 'reconnecting');
  });

  test('session:reconnect: a server close before retryAfterMs waits out the rest of it', async () => {
    const { c, ws } = await connected();
    let delay;
    c.on('disconnect', (d) => (delay = d.delayMs));
    ws.deliver({ type: 'session:reconnect', data: { reason: 'draining', retryAfterMs: 3000 } });
    timers.advance(1000);
    ws.serverClose(1012, 'restart');
    assert.equal(delay, 2000);
    timers.advance(1999);
    await settle();
    assert.equal(FakeWebSocket.all.length, 1);
    timers.advance(1);
    await settle();
    assert.equal(FakeWebSocket.all.length, 2);
  });
});
