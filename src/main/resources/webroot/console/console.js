// The Convene web console: one user per tab, talking to this server through the JavaScript client.
import { ConveneClient, ConveneRest } from './lib/index.js';
import { $, busy, clock, copy, fill, h, time, when } from './dom.js';
import * as signIns from './session.js';

const MEETING_PAGES = 3;
const PEOPLE_FROM_MEETINGS = 40;
const FRAME_LOG_MAX = 400;

const CALLEE_TEXT = {
  ringing: 'ringing',
  offline: 'offline, not rung',
  busy: 'busy, not rung',
  accepted: 'answered',
  declined: 'declined',
  timeout: "didn't answer",
  cancelled: 'cancelled',
  left: 'left',
};

const CALL_ENDED_TEXT = {
  declined: 'declined',
  no_answer: 'not answered',
  cancelled: 'cancelled',
  unreachable: 'nobody could be rung',
  everyone_left: 'ended',
};

const CANCELLED_TEXT = {
  caller_cancelled: 'the caller hung up',
  answered_elsewhere: 'answered on another device',
  declined_elsewhere: 'declined on another device',
  call_ended: 'the call ended',
};

const CLOSE_TEXT = {
  4001: 'your token expired: sign in again',
  4003: 'replaced by a newer connection of this device',
  4004: 'session ended',
};

const settings = { devMode: false };
const server = new ConveneRest({ url: location.origin });

/** Everything the signed-in tab shows, keyed for in-place updates (focus stays where it is). */
const state = {
  client: null,
  me: null,
  people: new Map(), // userId → {userId, name, status, lastSeen, row}
  meetings: new Map(), // meetingId → meeting
  calls: new Map(), // meetingId → call view
  incoming: new Map(), // meetingId → {data, item, timer}
  lobby: new Map(), // key → {meetingId, sessionId?, userId?, displayName, item}
  missed: new Map(), // notificationId or meetingId → item
  refreshing: null,
  refreshAgain: false,
};

boot().catch((e) => showSignIn(`The console could not start: ${e.message}`));

async function boot() {
  try {
    Object.assign(settings, await server.get('/console/settings.json', { auth: false }));
  } catch {
    // an older server: no dev-mode hint, the token form still works
  }
  wireSignIn();
  wireApp();
  const signedIn = signIns.current();
  if (signedIn) {
    await start(signedIn).catch((e) => showSignIn(e.message));
  } else {
    showSignIn();
  }
}

// Sign-in

function wireSignIn() {
  const devForm = $('#dev-token-form');
  devForm.hidden = !settings.devMode;
  devForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const userId = $('#dev-user-id').value.trim();
    const name = $('#dev-name').value.trim() || undefined;
    await busy(devForm.querySelector('button'), async () => {
      const minted = await server.devToken({ userId, name });
      await start(signIns.describe(minted.token, name ?? null));
    }, (e) => signInError(e));
  });
  const tokenForm = $('#token-form');
  tokenForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = $('#token-input').value.trim();
    await busy(tokenForm.querySelector('button'), () => start(signIns.describe(token)), (e) => signInError(e));
  });
  $('#forget-recent').addEventListener('click', () => {
    signIns.forgetRecent();
    renderRecent();
  });
  $('#sign-out').addEventListener('click', signOut);
}

function signInError(e) {
  $('#sign-in-error').textContent = e.code === 'unauthorized' || e.code === 'token_expired'
    ? `The server refused the token: ${e.message}`
    : `Could not sign in: ${e.message}`;
}

function showSignIn(message = '') {
  $('#app').hidden = true;
  $('#whoami').hidden = true;
  $('#incoming').hidden = true;
  $('#sign-in').hidden = false;
  $('#sign-in-error').textContent = message;
  renderRecent();
  document.title = 'Convene console';
}

function renderRecent() {
  const recent = settings.devMode ? signIns.recentSignIns() : [];
  $('#recent').hidden = recent.length === 0;
  fill($('#recent-list'), recent.map((s) => h('li', {},
    h('button', { type: 'button', onclick: (e) => busy(e.currentTarget, () => start(s), signInError) },
      `Continue as ${s.name ? `${s.name} (${s.userId})` : s.userId}`))));
}

/** Checks the token with one REST call, then opens the socket and shows the console. */
async function start(signIn) {
  const rest = new ConveneRest({ url: location.origin, token: signIn.token });
  await rest.get('/api/notifications', { query: { limit: 1 } });
  signIns.remember(signIn, { recent: settings.devMode });
  state.me = { userId: signIn.userId, name: signIn.name };
  const client = new ConveneClient({ url: location.origin, token: signIn.token, deviceId: signIns.tabDeviceId() });
  state.client = client;
  wireClient(client);
  $('#sign-in').hidden = true;
  $('#app').hidden = false;
  $('#whoami').hidden = false;
  renderMe();
  await client.connect().catch((e) => toast(`Not connected: ${e.message}`));
}

function signOut() {
  state.client?.close('signed out');
  state.client = null;
  signIns.forget();
  for (const key of ['people', 'meetings', 'calls', 'lobby', 'missed']) state[key].clear();
  for (const ring of state.incoming.values()) clearTimeout(ring.timer);
  state.incoming.clear();
  meetingCards.clear();
  for (const id of ['#people-list', '#call-list', '#missed-list', '#lobby-list', '#meeting-list', '#frame-log', '#incoming-list']) fill($(id));
  updateEmpties();
  showSignIn();
}

function renderMe() {
  $('#me-name').textContent = state.me.name ?? state.me.userId ?? '…';
  $('#me-id').textContent = state.me.userId ?? '…';
  document.title = `${state.me.name ?? state.me.userId} · Convene console`;
}

// The socket

function wireClient(client) {
  client.on('state', ({ state: s }) => {
    const el = $('#connection');
    el.dataset.state = s;
    el.textContent = { idle: 'not connected', connecting: 'connecting…', open: 'connected', reconnecting: 'reconnecting…', closed: 'disconnected' }[s];
  });
  client.on('closed', ({ code, reason }) => {
    $('#connection').textContent = `disconnected: ${CLOSE_TEXT[code] ?? reason ?? code}`;
  });
  client.on('ready', ({ resumed, welcome }) => {
    if (welcome) {
      state.me.userId = welcome.userId;
      renderMe();
    }
    if (!resumed) refresh();
  });
  client.on('frame', (frame) => logFrame('in', frame));
  client.on('outbound', (frame) => logFrame('out', frame));
  client.on('presence', (p) => updatePerson(p.userId, { status: p.status, lastSeen: p.lastSeen }));

  client.on('call:incoming', (d) => ringIn(d));
  client.on('call:cancelled', (d) => {
    stopRinging(d.meetingId);
    const call = state.calls.get(d.meetingId);
    if (call && call.direction === 'in' && call.phase === 'ringing') {
      setCall(d.meetingId, { phase: 'over', note: CANCELLED_TEXT[d.reason] ?? d.reason });
    }
  });
  client.on('call:ringing', (d) => setCallee(d.meetingId, d.userId, 'ringing'));
  client.on('call:accepted', (d) => {
    setCallee(d.meetingId, d.userId, 'accepted');
    if (state.calls.get(d.meetingId)?.phase === 'ringing') setCall(d.meetingId, { phase: 'active' });
  });
  client.on('call:declined', (d) => setCallee(d.meetingId, d.userId, d.reason === 'timeout' ? 'timeout' : 'declined'));
  client.on('call:left', (d) => setCallee(d.meetingId, d.userId, 'left'));
  client.on('call:ended', (d) => {
    stopRinging(d.meetingId);
    const call = state.calls.get(d.meetingId);
    if (!call) return;
    const missed = call.direction === 'in' && call.phase === 'ringing' && d.reason === 'no_answer';
    setCall(d.meetingId, { phase: 'over', note: missed ? 'missed: you did not answer in time' : CALL_ENDED_TEXT[d.reason] ?? d.reason });
  });
  client.on('call:missed', (d) => addMissed(d.notificationId ?? d.meetingId, d));
  client.on('notifications:unread', ({ items }) => {
    for (const n of items ?? []) {
      if (n.type === 'missed_call') addMissed(n.notificationId, { meetingId: n.meetingId, ...n.data, at: n.createdAt });
    }
  });

  client.on('meeting:guest_waiting', (d) => addWaiting(d));
  client.on('meeting:guest_admitted', (d) => removeWaiting(d, 'admitted'));
  client.on('meeting:guest_declined', (d) => removeWaiting(d, 'declined'));
  for (const type of ['meeting:created', 'meeting:invited', 'meeting:participants_invited', 'meeting:participant_removed',
    'meeting:started', 'meeting:ended', 'meeting:cancelled', 'meeting:live_invite_sent', 'meeting:participant_joined']) {
    client.on(type, () => scheduleRefresh());
  }
}

/** Meetings, the people in them and their presence, and lobbies, from REST (after every fresh session). */
function refresh() {
  if (state.refreshing) {
    state.refreshAgain = true; // something changed while loading: load once more after this one
    return state.refreshing;
  }
  state.refreshing = loadEverything()
    .catch((e) => toast(`Could not load: ${e.message}`))
    .finally(() => {
      state.refreshing = null;
      if (state.refreshAgain) {
        state.refreshAgain = false;
        refresh();
      }
    });
  return state.refreshing;
}

let refreshTimer = null;
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 300);
}

async function loadEverything() {
  const client = state.client;
  if (!client) return;
  const filter = $('#meeting-filter').value;
  const mine = await fetchMeetings('my');
  state.meetings = new Map(mine.map((m) => [m.meetingId, m]));
  renderMeetings(filter === 'my' ? mine : await fetchMeetings(filter));
  const relevant = mine.filter((m) => m.status !== 'cancelled').slice(0, PEOPLE_FROM_MEETINGS);
  const rosters = await Promise.all(relevant.map((m) => client.rest.participants(m.meetingId).catch(() => ({ items: [] }))));
  for (const roster of rosters) {
    for (const p of roster.items ?? []) {
      if (p.userId !== state.me.userId && p.status !== 'banned') updatePerson(p.userId, { name: p.displayName });
    }
  }
  if (state.people.size > 0) await client.subscribe([...state.people.keys()]);
  const live = mine.filter((m) => m.status === 'in_progress');
  await Promise.all(live.map((m) => client.rest.waitingRoom(m.meetingId).then((room) => {
    for (const g of room.guests ?? []) addWaiting({ meetingId: m.meetingId, sessionId: g.sessionId, displayName: g.displayName });
    for (const u of room.members ?? []) addWaiting({ meetingId: m.meetingId, userId: u.userId, displayName: u.displayName });
  }).catch(() => {})));
}

/** Up to a few pages of the caller's meetings under `filter`. */
async function fetchMeetings(filter) {
  const items = [];
  let cursor;
  for (let page = 0; page < MEETING_PAGES; page++) {
    const answer = await state.client.rest.listMeetings({ filter, limit: 50, cursor });
    items.push(...(answer.items ?? []));
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return items;
}

// People and presence

function updatePerson(userId, changes) {
  if (userId === state.me?.userId) return;
  let person = state.people.get(userId);
  if (!person) {
    person = { userId, name: null, status: 'offline', lastSeen: null };
    person.row = personRow(person);
    state.people.set(userId, person);
    const list = $('#people-list');
    const rows = [...list.children];
    const after = rows.find((r) => r.dataset.userId.localeCompare(userId) > 0);
    list.insertBefore(person.row, after ?? null);
    updateEmpties();
  }
  for (const [k, v] of Object.entries(changes)) {
    if (v !== undefined && v !== null) person[k] = v;
  }
  if (changes.lastSeen === null && changes.status) person.lastSeen = null;
  const row = person.row;
  row.dataset.status = person.status;
  row.querySelector('.name').textContent = person.name ?? person.userId;
  row.querySelector('.user-id').textContent = person.name ? person.userId : '';
  row.querySelector('.status').textContent = person.status;
  row.querySelector('.last-seen').textContent = person.status === 'offline' && person.lastSeen ? `last seen ${when(person.lastSeen)}` : '';
  row.querySelector('.call-person').textContent = `Call ${person.name ?? person.userId}`;
}

function personRow(person) {
  return h('li', { class: 'person', dataset: { userId: person.userId, status: 'offline' } },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { class: 'who' }, h('span', { class: 'name' }), ' ', h('code', { class: 'user-id' })),
    h('span', { class: 'status' }, 'offline'),
    h('span', { class: 'last-seen' }),
    h('button', { type: 'button', class: 'call-person', onclick: (e) => placeCall([person.userId], e.currentTarget) }, 'Call'));
}

// Calls

/** Rings users; resolves true when the call was placed. */
async function placeCall(userIds, button) {
  return busy(button, async () => {
    const call = await state.client.placeCall(userIds);
    const callees = new Map((call.callees ?? []).map((c) => [c.userId, c.status]));
    const view = ensureCall(call.meetingId, { direction: 'out', title: call.title, peer: null, phase: call.merged ? 'active' : 'ringing' });
    for (const [userId, status] of callees) {
      if (view.callees.get(userId) !== 'accepted') view.callees.set(userId, status);
    }
    if (call.merged) view.note = 'they were calling you: answered their call';
    else if ([...callees.values()].every((s) => s !== 'ringing') && view.phase === 'ringing') view.phase = 'over';
    renderCall(view);
    return true;
  }, (e) => toast(`Could not call: ${e.message}`));
}

function ensureCall(meetingId, init) {
  let view = state.calls.get(meetingId);
  if (!view) {
    view = { meetingId, callees: new Map(), note: '', item: null, ...init };
    view.item = h('li', { class: 'card call', dataset: { meetingId } });
    state.calls.set(meetingId, view);
    $('#call-list').prepend(view.item);
  }
  return view;
}

function setCall(meetingId, changes) {
  const view = state.calls.get(meetingId);
  if (!view) return;
  Object.assign(view, changes);
  renderCall(view);
}

function setCallee(meetingId, userId, status) {
  const view = state.calls.get(meetingId) ?? ensureCall(meetingId, { direction: 'out', title: null, peer: null, phase: 'ringing' });
  view.callees.set(userId, status);
  if (view.direction === 'out' && view.phase === 'ringing' && [...view.callees.values()].every((s) => s !== 'ringing')) {
    view.phase = [...view.callees.values()].includes('accepted') ? 'active' : 'over';
  }
  renderCall(view);
}

function displayName(userId) {
  return state.people.get(userId)?.name ?? userId;
}

function renderCall(view) {
  const heading = view.direction === 'out'
    ? `You called ${[...view.callees.keys()].map(displayName).join(', ') || '…'}`
    : `${view.peer ?? 'Someone'} called you`;
  const phase = { ringing: 'ringing', active: 'in call', over: 'over' }[view.phase];
  const actions = [];
  if (view.phase === 'ringing' && view.direction === 'out') {
    actions.push(h('button', { type: 'button', onclick: (e) => busy(e.currentTarget, () => state.client.cancel(view.meetingId), (err) => toast(err.message)) }, 'Cancel call'));
  }
  if (view.phase === 'active') {
    actions.push(h('button', {
      type: 'button',
      onclick: (e) => busy(e.currentTarget, async () => {
        await state.client.hangUp(view.meetingId);
        setCall(view.meetingId, { phase: 'over', note: 'you hung up' });
      }, (err) => toast(err.message)),
    }, 'Hang up'));
  }
  view.item.dataset.phase = view.phase;
  fill(view.item,
    h('p', { class: 'title' }, heading, ' ', h('span', { class: 'badge', dataset: { phase: view.phase } }, phase)),
    view.direction === 'out' && view.callees.size > 0
      ? h('ul', { class: 'callees plain' }, [...view.callees].map(([userId, status]) =>
        h('li', { dataset: { userId, status } }, `${displayName(userId)}: `, h('span', { class: 'callee-status' }, CALLEE_TEXT[status] ?? status))))
      : null,
    view.note ? h('p', { class: 'note' }, view.note) : null,
    h('p', { class: 'meta' }, h('code', {}, view.meetingId)),
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

function ringIn(d) {
  const name = d.callerName ?? d.callerId;
  const view = ensureCall(d.meetingId, { direction: 'in', peer: name, title: d.title, phase: 'ringing' });
  renderCall(view);
  if (state.incoming.has(d.meetingId)) return;
  const accept = h('button', { type: 'button', class: 'accept', onclick: () => answer(d.meetingId, true) }, `Accept call from ${name}`);
  const decline = h('button', { type: 'button', class: 'decline', onclick: () => answer(d.meetingId, false) }, `Decline call from ${name}`);
  const item = h('li', { class: 'ring', dataset: { meetingId: d.meetingId } },
    h('p', { class: 'ring-title' }, h('span', { class: 'bell', 'aria-hidden': 'true' }, '☎'), ` ${name} is calling you`),
    d.title ? h('p', { class: 'meta' }, d.title) : null,
    h('p', { class: 'error', role: 'alert' }),
    h('div', { class: 'actions' }, accept, decline));
  // The server keeps the deadline and says when it passed; this only clears a ring whose end was missed.
  const deadline = Date.parse(d.deadline);
  const timer = Number.isFinite(deadline) ? setTimeout(() => stopRinging(d.meetingId), Math.max(0, deadline - Date.now()) + 5000) : null;
  state.incoming.set(d.meetingId, { data: d, item, timer });
  $('#incoming-list').append(item);
  $('#incoming').hidden = false;
  $('#incoming-announcer').textContent = `${name} is calling you.`;
  document.title = `☎ ${name} is calling · Convene console`;
}

async function answer(meetingId, yes) {
  const ring = state.incoming.get(meetingId);
  if (!ring) return;
  for (const b of ring.item.querySelectorAll('button')) b.disabled = true;
  try {
    await (yes ? state.client.accept(meetingId) : state.client.decline(meetingId));
    stopRinging(meetingId);
    setCall(meetingId, yes ? { phase: 'active', note: 'you answered' } : { phase: 'over', note: 'you declined' });
  } catch (e) {
    ring.item.querySelector('.error').textContent = e.code === 'too_late' ? `Too late: ${e.message}` : e.message;
    if (e.code === 'too_late') {
      setTimeout(() => stopRinging(meetingId), 4000);
      setCall(meetingId, { phase: 'over', note: e.message });
    } else {
      for (const b of ring.item.querySelectorAll('button')) b.disabled = false;
    }
  }
}

function stopRinging(meetingId) {
  const ring = state.incoming.get(meetingId);
  if (!ring) return;
  clearTimeout(ring.timer);
  ring.item.remove();
  state.incoming.delete(meetingId);
  if (state.incoming.size === 0) {
    $('#incoming').hidden = true;
    $('#incoming-announcer').textContent = '';
    if (state.me) renderMe();
  }
}

function addMissed(key, d) {
  if (state.missed.has(key)) return;
  const item = h('li', { class: 'missed' }, `Missed call from ${d.callerName ?? d.callerId ?? 'someone'}`, ' ', time(d.at ?? new Date().toISOString()));
  state.missed.set(key, item);
  $('#missed-list').prepend(item);
  updateEmpties();
}

// Lobby

function lobbyKey(d) {
  return `${d.meetingId}/${d.sessionId ?? `user:${d.userId}`}`;
}

function addWaiting(d) {
  const key = lobbyKey(d);
  if (state.lobby.has(key)) return;
  const who = d.displayName ?? d.userId ?? 'A guest';
  const meeting = state.meetings.get(d.meetingId);
  const decide = async (button, admit) => busy(button, async () => {
    const c = state.client;
    if (d.sessionId) await (admit ? c.admitGuest(d.meetingId, d.sessionId) : c.declineGuest(d.meetingId, d.sessionId));
    else await (admit ? c.rest.admitMember(d.meetingId, d.userId) : c.rest.declineMember(d.meetingId, d.userId));
    removeWaiting(d, admit ? 'admitted' : 'declined');
  }, (e) => {
    if (e.code === 'too_late') removeWaiting(d, 'decided');
    toast(e.message);
  });
  const item = h('li', { class: 'card waiting', dataset: { meetingId: d.meetingId, sessionId: d.sessionId ?? '', userId: d.userId ?? '' } },
    h('p', { class: 'title' }, `${who} is waiting`, d.sessionId ? ' (guest)' : ' (member)'),
    h('p', { class: 'meta' }, 'to join ', meeting ? meeting.title : h('code', {}, d.meetingId)),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: (e) => decide(e.currentTarget, true) }, `Admit ${who}`),
      h('button', { type: 'button', class: 'secondary', onclick: (e) => decide(e.currentTarget, false) }, `Decline ${who}`)));
  state.lobby.set(key, { ...d, item });
  $('#lobby-list').append(item);
  updateEmpties();
  toast(`${who} is waiting in the lobby.`);
}

function removeWaiting(d, outcome) {
  const key = lobbyKey(d);
  const entry = state.lobby.get(key);
  if (!entry) return;
  entry.item.remove();
  state.lobby.delete(key);
  updateEmpties();
  toast(`${entry.displayName ?? entry.userId ?? 'The guest'} was ${outcome}${d.decidedBy ? ` by ${displayName(d.decidedBy)}` : ''}.`);
}

// Meetings

/**
 * The meeting list, keyed by id: a card is rebuilt only when what it shows changed, and its result area
 * (join details, guest link) survives the refreshes that events trigger.
 */
const meetingCards = new Map(); // meetingId → {item, signature, result}

function renderMeetings(items) {
  const list = $('#meeting-list');
  const shown = new Set();
  let previous = null;
  for (const m of items) {
    shown.add(m.meetingId);
    let card = meetingCards.get(m.meetingId);
    if (!card) {
      card = { item: null, signature: null, result: h('div', { class: 'result' }) };
      meetingCards.set(m.meetingId, card);
    }
    const signature = JSON.stringify([m.title, m.status, m.myRole, m.allowExternal, m.startTime, m.endTime, m.settings]);
    if (card.signature !== signature) {
      const item = meetingCard(m, card.result);
      if (card.item) card.item.replaceWith(item);
      card.item = item;
      card.signature = signature;
    }
    const expected = previous ? previous.nextElementSibling : list.firstElementChild;
    if (expected !== card.item) list.insertBefore(card.item, expected);
    previous = card.item;
  }
  for (const [id, card] of meetingCards) {
    if (!shown.has(id)) {
      card.item?.remove();
      meetingCards.delete(id);
    }
  }
  $('#meetings-empty').hidden = items.length > 0;
}

function meetingCard(m, result) {
  const canManage = m.myRole === 'owner' || m.myRole === 'manager';
  const open = m.status === 'scheduled' || m.status === 'in_progress';
  const act = (label, fn, cls) => h('button', {
    type: 'button',
    class: cls,
    onclick: (e) => busy(e.currentTarget, () => fn(result), (err) => fill(result, h('p', { class: 'error', role: 'alert' }, err.message))),
  }, label);
  return h('li', { class: 'card meeting', dataset: { meetingId: m.meetingId, status: m.status } },
    h('p', { class: 'title' }, m.title, ' ', h('span', { class: 'badge', dataset: { status: m.status } }, m.status.replace('_', ' ')),
      m.isInstantCall ? h('span', { class: 'badge' }, 'call') : null),
    h('p', { class: 'meta' }, time(m.startTime), ' – ', time(m.endTime), m.myRole ? ` · you are ${m.myRole}` : '',
      m.allowExternal ? ' · guests allowed' : '', m.settings?.waitingRoom ? ' · waiting room' : ''),
    h('p', { class: 'meta' }, h('code', {}, m.meetingId)),
    open ? h('div', { class: 'actions' },
      act(`Join ${m.title}`, (out) => joinRoom(m, out)),
      act(`Leave ${m.title}`, async (out) => {
        await state.client.rest.leaveMeeting(m.meetingId);
        fill(out, h('p', {}, 'You left the room.'));
      }, 'secondary'),
      canManage && m.allowExternal ? act(`Guest link for ${m.title}`, (out) => guestLink(m, out), 'secondary') : null) : null,
    result);
}

async function joinRoom(m, out) {
  const joined = await state.client.rest.joinMeeting(m.meetingId);
  if (joined.status === 'waiting') {
    fill(out, h('p', { role: 'status' }, 'You are in the waiting room: an owner or manager will let you in.'));
    return;
  }
  fill(out,
    h('p', { role: 'status' }, `You are in the room as ${joined.identity}.`),
    h('dl', { class: 'details' },
      h('dt', {}, 'LiveKit URL'), h('dd', {}, h('code', {}, joined.serverUrl)),
      h('dt', {}, 'Room'), h('dd', {}, h('code', {}, joined.roomName)),
      h('dt', {}, 'Token expires'), h('dd', {}, time(joined.expiresAt))),
    tokenBox('LiveKit token', joined.token));
  scheduleRefresh();
}

async function guestLink(m, out) {
  const link = await state.client.rest.generateLink(m.meetingId);
  const url = link.url ?? `${location.origin}/join/${encodeURIComponent(link.token)}`;
  const id = `link-${m.meetingId}`;
  const input = h('input', { id, class: 'link', readonly: true, value: url });
  fill(out,
    h('div', { class: 'field' }, h('label', { for: id }, 'Guest link (a new one replaces the old)'), input),
    h('div', { class: 'actions' },
      h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, 'Open the guest page'),
      h('button', { type: 'button', class: 'secondary', onclick: async () => toast((await copy(url, input)) ? 'Link copied.' : 'Select the link and copy it.') }, 'Copy link')),
    h('p', { class: 'meta' }, 'Works from ', time(link.validFrom), ' until ', time(link.validUntil), ' (and while the meeting is in progress).'));
}

function tokenBox(label, token) {
  const id = `token-${Math.random().toString(36).slice(2)}`;
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('textarea', { id, readonly: true, rows: 3, class: 'token' }, token));
}

function defaultStart() {
  const d = new Date(Date.now() + 60_000);
  d.setSeconds(0, 0);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// Wiring of the signed-in view

function wireApp() {
  $('#meeting-start').value = defaultStart();
  $('#meeting-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const start = new Date($('#meeting-start').value);
    const minutes = Number($('#meeting-duration').value);
    const invitees = ids($('#meeting-invitees').value);
    await busy(form.querySelector('button[type=submit]'), async () => {
      const created = await state.client.rest.createMeeting({
        title: $('#meeting-title').value.trim(),
        startTime: start.toISOString(),
        endTime: new Date(start.getTime() + minutes * 60_000).toISOString(),
        participantIds: invitees,
        allowExternal: $('#meeting-guests').checked,
        settings: { waitingRoom: $('#meeting-waiting-room').checked },
      });
      toast(`Created ${created.title}.` + (created.warnings?.length ? ` ${created.warnings.length} overlap warning(s).` : ''));
      form.reset();
      $('#meeting-start').value = defaultStart();
      await refresh();
    }, (e) => toast(`Could not create the meeting: ${e.message}`));
  });
  $('#meeting-filter').addEventListener('change', () => fetchMeetings($('#meeting-filter').value).then(renderMeetings, (e) => toast(e.message)));
  $('#refresh-meetings').addEventListener('click', (e) => busy(e.currentTarget, refresh));
  $('#call-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const userIds = ids($('#call-input').value);
    if (userIds.length === 0) return;
    placeCall(userIds, event.currentTarget.querySelector('button')).then((placed) => {
      if (placed) $('#call-input').value = '';
    });
  });
  $('#watch-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const userId = $('#watch-input').value.trim();
    if (!userId) return;
    await busy(event.currentTarget.querySelector('button'), async () => {
      updatePerson(userId, {});
      await state.client.subscribe([userId]);
      $('#watch-input').value = '';
    }, (e) => toast(e.message));
  });
  $('#frame-clear').addEventListener('click', () => fill($('#frame-log')));
  $('#frame-filter').addEventListener('input', applyFrameFilter);
}

function ids(text) {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}

// Frame log

function logFrame(direction, frame) {
  if ($('#frame-pause').checked) return;
  const type = frame.type ?? '(not JSON)';
  const label = type === 'ack' ? `ack ${frame.ok ? 'ok' : `error ${frame.error?.code ?? ''}`}` : type;
  const item = h('li', { class: 'frame', dataset: { direction, type } },
    h('span', { class: 'dir', title: direction === 'in' ? 'from the server' : 'to the server' }, direction === 'in' ? '←' : '→'),
    h('span', { class: 'visually-hidden' }, direction === 'in' ? 'received' : 'sent'),
    h('time', {}, clock(new Date())),
    h('details', {}, h('summary', {}, h('code', {}, label), frame.id ? ` #${frame.id}` : ''),
      h('pre', {}, JSON.stringify(frame.raw ?? frame, null, 2))));
  const log = $('#frame-log');
  log.prepend(item);
  filterFrame(item, $('#frame-filter').value.trim());
  while (log.children.length > FRAME_LOG_MAX) log.lastElementChild.remove();
}

function applyFrameFilter() {
  const f = $('#frame-filter').value.trim();
  for (const item of $('#frame-log').children) filterFrame(item, f);
}

function filterFrame(item, f) {
  item.hidden = f !== '' && !item.dataset.type.includes(f);
}

// Bits

function updateEmpties() {
  $('#people-empty').hidden = state.people.size > 0;
  $('#missed-empty').hidden = state.missed.size > 0;
  $('#lobby-empty').hidden = state.lobby.size > 0;
}

let toastTimer = null;
function toast(text) {
  const el = $('#toast');
  el.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.textContent = ''), 6000);
}
