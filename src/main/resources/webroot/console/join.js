// The guest page behind an invitation link (/join/{token}): register with a name, knock, wait, enter.
import { ConveneClient, ConveneRest } from './lib/index.js';
import { $, when } from './dom.js';

const invitation = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
const storageKey = `convene.guest.${invitation}`;
const rest = new ConveneRest({ url: location.origin });

const REASONS = {
  too_early: (info) => `This link opens ${when(info.validFrom)}. Come back then.`,
  too_late: () => 'This invitation link has expired.',
  ended: () => 'This meeting has ended.',
  cancelled: () => 'This meeting was cancelled.',
};

let info = null;
let guest = null; // {sessionId, guestToken, displayName}
let client = null;
let entering = false;

main().catch((e) => stop('problem', `Something went wrong: ${e.message}`));

async function main() {
  try {
    info = await rest.joinInfo(invitation);
  } catch (e) {
    if (e.code === 'not_found') {
      const replaced = /replaced/.test(e.message);
      stop('invalid', replaced
        ? 'This invitation link was replaced by a newer one. Ask the host for the current link.'
        : 'This invitation link is unknown. Check that you copied all of it, or ask the host for a new one.');
      return;
    }
    throw e;
  }
  showMeeting(info);
  if (!info.valid) {
    stop('invalid', (REASONS[info.reason] ?? (() => `This link does not work now (${info.reason}).`))(info));
    return;
  }
  guest = await stillValid(saved());
  if (guest) {
    await connect();
    return;
  }
  setState('ready', info.canAskForAccess
    ? 'Someone is in the meeting. Tell them your name and ask to join.'
    : 'The meeting has not started yet. You can register now; you will be asked in as soon as someone joins.');
  const form = $('#register-form');
  form.hidden = false;
  $('#display-name').focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    $('#problem').textContent = '';
    try {
      const displayName = $('#display-name').value.trim();
      const email = $('#email').value.trim() || undefined;
      const registered = await rest.registerGuest({ invitationToken: invitation, displayName, email });
      guest = { sessionId: registered.sessionId, guestToken: registered.guestToken, displayName };
      sessionStorage.setItem(storageKey, JSON.stringify(guest));
      form.hidden = true;
      await connect();
    } catch (e) {
      $('#problem').textContent = e.code === 'validation_failed' ? `Please check your details: ${e.message}` : e.message;
      button.disabled = false;
    }
  });
}

/** A session registered earlier in this tab, if the server still takes its token. */
async function stillValid(session) {
  if (!session) return null;
  try {
    await rest.get(`/api/meetings/${encodeURIComponent(info.meetingId)}/preview`, { token: session.guestToken });
    return session;
  } catch (e) {
    if (![401, 403, 404].includes(e.status)) return session;
    sessionStorage.removeItem(storageKey);
    return null;
  }
}

function saved() {
  try {
    const s = JSON.parse(sessionStorage.getItem(storageKey));
    return s && s.sessionId && s.guestToken ? s : null;
  } catch {
    return null;
  }
}

/** The guest's socket: knocks when someone is in, and follows the host's decision. */
async function connect() {
  rest.setToken(guest.guestToken);
  client = new ConveneClient({ url: location.origin, guestToken: guest.guestToken });
  const mine = (d) => !d.sessionId || d.sessionId === guest.sessionId;
  client.on('ready', ({ resumed }) => {
    if (!resumed) knock();
  });
  client.on('meeting:first_participant_joined', () => knock());
  client.on('meeting:guest_admitted', (d) => {
    if (mine(d)) enter();
  });
  client.on('meeting:guest_declined', (d) => {
    if (mine(d)) stop('declined', 'The host declined your request to join.');
  });
  client.on('external:all_server_users_left', (d) => {
    $('#problem').textContent = `Everyone left the meeting. Unless someone comes back, your session ends in ${d.graceSeconds} seconds.`;
  });
  client.on('meeting:participant_joined', () => {
    $('#problem').textContent = '';
    counts();
  });
  client.on('closed', ({ code }) => {
    if (code === 4004) {
      sessionStorage.removeItem(storageKey);
      stop('ended', 'Your guest session has ended.');
    } else if (!['admitted', 'declined', 'ended', 'left'].includes(state())) {
      stop('problem', `The connection to the server closed (${code}). Reload the page to try again.`);
    }
  });
  $('#leave').hidden = false;
  $('#leave').onclick = leave;
  setState('connecting', 'Connecting…');
  await client.connect();
}

/** Asks to be let in; the server answers `waiting` or `admitted`, or says nobody is in yet. */
async function knock() {
  if (['admitted', 'declined', 'ended', 'left'].includes(state())) return;
  try {
    const answer = await rest.askForAccess(guest.sessionId);
    if (answer.status === 'admitted') {
      await enter();
    } else if (state() !== 'admitted') {
      setState('waiting', `Waiting for someone in the meeting to let you in, ${guest.displayName ?? 'guest'}…`);
    }
  } catch (e) {
    if (e.code === 'invalid_state' && /nobody has joined/.test(e.message)) {
      setState('not_started', 'The meeting has not started yet. You will be asked in as soon as someone joins.');
    } else if (e.code === 'forbidden') {
      stop('declined', 'The host declined your request to join.');
    } else if (e.code === 'invalid_state') {
      stop('ended', `You cannot join: ${e.message}.`);
    } else {
      $('#problem').textContent = e.message;
    }
  }
  counts();
}

async function enter() {
  if (entering || state() === 'admitted') return;
  entering = true;
  try {
    const joined = await rest.guestJoin(guest.sessionId);
    $('#livekit-url').textContent = joined.serverUrl;
    $('#livekit-room').textContent = joined.roomName ?? info.meetingId;
    $('#livekit-identity').textContent = joined.identity ?? `guest:${guest.sessionId}`;
    $('#livekit-token').value = joined.token;
    $('#admitted').hidden = false;
    setState('admitted', 'You were let in.');
    counts();
  } catch (e) {
    $('#problem').textContent = `You were let in, but the room could not be entered: ${e.message}`;
  } finally {
    entering = false;
  }
}

async function leave() {
  try {
    await rest.endGuestSession(guest.sessionId);
  } catch {
    // the session may be over already
  }
  client?.close('left');
  sessionStorage.removeItem(storageKey);
  stop('left', 'You left. Open the link again to come back.');
}

/** Who is there: counts only, as a guest may see. */
async function counts() {
  try {
    const p = await rest.preview(info.meetingId);
    $('#participant-count').textContent = String(p.participantCount ?? 0);
    $('#guest-count').textContent = String(p.guestCount ?? 0);
    $('#meeting-status').textContent = statusText(p.status);
    $('#counts').hidden = false;
  } catch {
    // counts are a nicety
  }
}

function showMeeting(m) {
  $('#meeting').hidden = false;
  $('#meeting-title').textContent = m.title;
  $('#host-name').textContent = m.hostName ?? 'the host';
  $('#meeting-when').textContent = `starts ${when(m.startTime)}`;
  $('#meeting-status').textContent = statusText(m.status);
  document.title = `Join ${m.title} · Convene`;
}

function statusText(status) {
  return { scheduled: 'not started', in_progress: 'in progress', ended: 'ended', cancelled: 'cancelled' }[status] ?? status;
}

function state() {
  return $('#guest').dataset.state;
}

function setState(s, text) {
  $('#guest').dataset.state = s;
  $('#status').textContent = text;
}

function stop(s, text) {
  setState(s, text);
  $('#register-form').hidden = true;
  if (s !== 'admitted') $('#leave').hidden = true;
  if (s === 'declined' || s === 'ended') client?.close(s);
}
