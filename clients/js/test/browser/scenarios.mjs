// Browser scenarios for the web console and the guest page, in real headless Chromium.
//
//   node clients/js/test/browser/scenarios.mjs --base-url http://127.0.0.1:8080 [--screenshots DIR] [--only a,b]
//
// The server must run in dev mode (tokens from POST /dev/token) with the console on. Every scenario
// uses user ids of its own, so a server can be reused. Exit code 0 when every scenario passed.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const { values: args } = parseArgs({
  options: {
    'base-url': { type: 'string', default: process.env.CONVENE_BASE_URL },
    screenshots: { type: 'string', default: process.env.SCREENSHOT_DIR ?? 'target/browser-screenshots' },
    only: { type: 'string' },
    timeout: { type: 'string', default: '20000' },
  },
});
const BASE = args['base-url']?.replace(/\/$/, '');
const SHOTS = resolve(args.screenshots);
const TIMEOUT = Number(args.timeout);
const RUN = Date.now().toString(36);

if (!BASE) {
  console.error('scenarios: pass --base-url http://host:port (or CONVENE_BASE_URL)');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`scenarios: ${CHROMIUM} is missing: run scripts/install-browser.sh`);
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });

// Helpers

function log(...parts) {
  console.log('  ', ...parts);
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function api(method, path, token, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function devToken(userId, name) {
  return (await api('POST', '/dev/token', null, { userId, name })).token;
}

/** A meeting that starts now and lasts an hour. */
async function meeting(ownerToken, title, extra = {}) {
  const start = new Date(Date.now() - 30_000);
  const end = new Date(Date.now() + 3_600_000);
  return api('POST', '/api/meetings', ownerToken, { title, startTime: start.toISOString(), endTime: end.toISOString(), ...extra });
}

/** A page that records uncaught errors; a scenario fails if any page had one. */
async function newPage(context, errors, label) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => errors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`${label} console: ${m.text()}`);
  });
  return page;
}

/** Signs in through the dev-mode form and waits for the socket's welcome. */
async function signIn(page, userId, name) {
  await page.goto(`${BASE}/console`);
  await page.getByLabel('User id', { exact: true }).fill(userId);
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Get a dev token and sign in' }).click();
  await page.locator('#connection[data-state="open"]').waitFor();
  await page.locator('#me-id', { hasText: userId }).waitFor();
}

async function shot(page, name) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  log(`screenshot ${path}`);
}

function personRow(page, userId, status) {
  return page.locator(`#people-list li[data-user-id="${userId}"]${status ? `[data-status="${status}"]` : ''}`);
}

// Scenarios

/** (a) Alice calls Bob, who has two tabs open: both ring, he answers in one, Alice sees it answered. */
async function callAnswered({ browser, errors }) {
  const alice = `alice-${RUN}`;
  const bob = `bob-${RUN}`;
  const alicePage = await newPage(await browser.newContext(), errors, 'alice');
  const bobContext = await browser.newContext();
  const bobTab1 = await newPage(bobContext, errors, 'bob tab 1');
  const bobTab2 = await newPage(bobContext, errors, 'bob tab 2');

  await signIn(alicePage, alice, 'Alice');
  await signIn(bobTab1, bob, 'Bob');
  log('Bob opens a second tab and continues as himself from the recent sign-ins');
  await bobTab2.goto(`${BASE}/console`);
  await bobTab2.getByRole('button', { name: `Continue as Bob (${bob})` }).click();
  await bobTab2.locator('#connection[data-state="open"]').waitFor();

  log('Alice calls Bob');
  await alicePage.getByLabel('Call user ids').fill(bob);
  await alicePage.getByRole('button', { name: 'Call', exact: true }).click();
  await alicePage.locator(`#call-list li[data-user-id="${bob}"][data-status="ringing"]`).waitFor();

  log('both of Bob\'s tabs ring, and the live region announces it');
  for (const tab of [bobTab1, bobTab2]) {
    await tab.getByRole('button', { name: 'Accept call from Alice' }).waitFor();
    await tab.getByRole('button', { name: 'Decline call from Alice' }).waitFor();
    await tab.locator('#incoming-announcer', { hasText: 'Alice is calling you' }).waitFor({ state: 'attached' });
    check((await tab.locator('#incoming-announcer').getAttribute('aria-live')) === 'assertive', 'incoming calls are announced assertively');
  }
  await shot(bobTab1, 'a-bob-ringing');

  log('Bob accepts in his second tab with the keyboard');
  await bobTab2.getByRole('button', { name: 'Accept call from Alice' }).focus();
  await bobTab2.keyboard.press('Enter');
  await bobTab2.locator('#incoming').waitFor({ state: 'hidden' });
  await bobTab2.locator('#call-list li.call[data-phase="active"]', { hasText: 'you answered' }).waitFor();

  log('his first tab stops ringing: answered elsewhere');
  await bobTab1.locator('#incoming').waitFor({ state: 'hidden' });
  await bobTab1.locator('#call-list li.call', { hasText: 'answered on another device' }).waitFor();

  log('Alice sees it answered');
  await alicePage.locator(`#call-list li[data-user-id="${bob}"][data-status="accepted"]`, { hasText: 'answered' }).waitFor();
  await alicePage.locator('#call-list li.call[data-phase="active"]').waitFor();
  await shot(alicePage, 'a-alice-answered');

  log('Alice hangs up; Bob\'s tab sees the call end');
  await alicePage.getByRole('button', { name: 'Hang up' }).click();
  await alicePage.locator('#call-list li.call[data-phase="over"]').waitFor();
  await bobTab2.locator('#call-list li.call[data-phase="over"]').waitFor();
  await shot(bobTab2, 'a-bob-after-call');

  log('Alice calls again; Bob declines in his first tab; his second stops ringing; Alice sees it declined');
  await alicePage.getByLabel('Call user ids').fill(bob);
  await alicePage.getByRole('button', { name: 'Call', exact: true }).click();
  await bobTab2.getByRole('button', { name: 'Accept call from Alice' }).waitFor();
  await bobTab1.getByRole('button', { name: 'Decline call from Alice' }).click();
  await bobTab1.locator('#incoming').waitFor({ state: 'hidden' });
  await bobTab2.locator('#incoming').waitFor({ state: 'hidden' });
  await alicePage.locator(`#call-list li[data-user-id="${bob}"][data-status="declined"]`, { hasText: 'declined' }).waitFor();
  await shot(alicePage, 'a-alice-declined');
}

/** (e) Nobody answers: the caller sees "didn't answer" and the callee's console lists a missed call. */
async function callMissed({ browser, errors }) {
  const alice = `alice-e-${RUN}`;
  const carol = `carol-e-${RUN}`;
  const alicePage = await newPage(await browser.newContext(), errors, 'alice');
  const carolPage = await newPage(await browser.newContext(), errors, 'carol');
  await signIn(alicePage, alice, 'Alice');
  await signIn(carolPage, carol, 'Carol');

  await alicePage.getByLabel('Call user ids').fill(carol);
  await alicePage.getByRole('button', { name: 'Call', exact: true }).click();
  await carolPage.getByRole('button', { name: 'Accept call from Alice' }).waitFor();
  log('Carol lets it ring until the server\'s deadline');
  const ring = { timeout: 90_000 }; // the deadline is the server's calls.ringSeconds
  await alicePage.locator(`#call-list li[data-user-id="${carol}"][data-status="timeout"]`, { hasText: "didn't answer" }).waitFor(ring);
  await carolPage.locator('#incoming').waitFor({ state: 'hidden', ...ring });
  await carolPage.locator('#missed-list li', { hasText: 'Missed call from Alice' }).waitFor(ring);
  await shot(carolPage, 'e-carol-missed');
}

/** (b) A guest opens the link page and knocks; the host, in the room, admits from the console. */
async function guestAdmitted({ browser, errors }) {
  const host = `hana-${RUN}`;
  const title = `Guest demo ${RUN}`;
  const hostPage = await newPage(await browser.newContext(), errors, 'host');
  const guestPage = await newPage(await browser.newContext(), errors, 'guest');

  await signIn(hostPage, host, 'Hana');
  log('the host creates a meeting that allows guests');
  await hostPage.locator('#create-meeting summary').click();
  await hostPage.getByLabel('Title').fill(title);
  await hostPage.getByLabel('Allow guests (invitation link)').check();
  await hostPage.getByRole('button', { name: 'Create meeting' }).click();
  const card = hostPage.locator('#meeting-list li.meeting', { hasText: title });
  await card.waitFor();

  log('the host joins the room (so a member is in) and makes a guest link');
  await hostPage.getByRole('button', { name: `Join ${title}` }).click();
  await card.locator('.result', { hasText: 'You are in the room' }).waitFor();
  await hostPage.getByRole('button', { name: `Guest link for ${title}` }).click();
  const link = await card.locator('input.link').inputValue();
  check(link.startsWith(`${BASE}/join/inv_`), `the guest link is a /join/ URL on this server: ${link}`);

  log('the guest opens the link, gives a name and knocks');
  await guestPage.goto(link);
  await guestPage.locator('#meeting-title', { hasText: title }).waitFor();
  await guestPage.getByLabel('Your name').fill('Gina');
  await guestPage.getByRole('button', { name: 'Ask to join' }).click();
  await guestPage.locator('#guest[data-state="waiting"]').waitFor();

  log('the host sees Gina in the lobby and admits her');
  await hostPage.locator('#lobby-list li', { hasText: 'Gina is waiting' }).waitFor();
  await shot(hostPage, 'b-host-lobby');
  await hostPage.getByRole('button', { name: 'Admit Gina' }).click();
  await hostPage.locator('#lobby-list li', { hasText: 'Gina' }).waitFor({ state: 'detached' });

  log('the guest page shows the admission and the LiveKit details');
  await guestPage.locator('#guest[data-state="admitted"]').waitFor();
  await guestPage.locator('#admitted').waitFor();
  const token = await guestPage.locator('#livekit-token').inputValue();
  check(token.split('.').length === 3, 'the guest got a LiveKit token (a JWT)');
  check((await guestPage.locator('#livekit-identity').textContent()).startsWith('guest:gst_'), 'the guest identity is marked guest');
  check((await guestPage.locator('#livekit-url').textContent()).startsWith('ws'), 'the guest got the LiveKit URL');
  await guestPage.locator('#participant-count', { hasText: /^[1-9]/ }).waitFor();
  await shot(guestPage, 'b-guest-admitted');
}

/** (c) Presence in Alice's console follows Bob's tab opening and closing. */
async function presenceFollowsTabs({ browser, errors }) {
  const alice = `alice-c-${RUN}`;
  const bob = `bob-c-${RUN}`;
  const aliceToken = await devToken(alice, 'Alice');
  await meeting(aliceToken, `Weekly ${RUN}`, { participantIds: [bob] });

  const alicePage = await newPage(await browser.newContext(), errors, 'alice');
  await signIn(alicePage, alice, 'Alice');
  log('Bob is listed as offline: he shares a meeting with Alice');
  await personRow(alicePage, bob, 'offline').waitFor();

  log('Bob opens the console: online');
  const bobContext = await browser.newContext();
  const bobPage = await newPage(bobContext, errors, 'bob');
  await signIn(bobPage, bob, 'Bob');
  await personRow(alicePage, bob, 'online').waitFor();
  check((await personRow(alicePage, bob).locator('.status').textContent()) === 'online', 'the row says online');
  await shot(alicePage, 'c-alice-sees-bob-online');

  log('Bob closes his tab: offline after the grace');
  await bobPage.close();
  await personRow(alicePage, bob, 'offline').waitFor();
  await personRow(alicePage, bob).locator('.last-seen', { hasText: 'last seen' }).waitFor();
  await shot(alicePage, 'c-alice-sees-bob-offline');
  await bobContext.close();
}

/** (d) The guest page explains unknown and replaced links, and a declined request. */
async function guestTurnedAway({ browser, errors }) {
  const host = `host-d-${RUN}`;
  const hostToken = await devToken(host, 'Hugo');
  const m = await meeting(hostToken, `Closed door ${RUN}`, { allowExternal: true });
  const first = await api('POST', `/api/meetings/${m.meetingId}/generate-link`, hostToken);
  const second = await api('POST', `/api/meetings/${m.meetingId}/generate-link`, hostToken);
  const page = await newPage(await browser.newContext(), errors, 'guest');

  log('an unknown link');
  await page.goto(`${BASE}/join/inv_${RUN}unknown`);
  await page.locator('#guest[data-state="invalid"]').waitFor();
  await page.locator('#status', { hasText: 'unknown' }).waitFor();

  log('a replaced link');
  await page.goto(`${BASE}/join/${first.token}`);
  await page.locator('#guest[data-state="invalid"]').waitFor();
  await page.locator('#status', { hasText: 'replaced by a newer one' }).waitFor();

  log('the current link, before anyone is in: the guest waits for the first participant, then knocks');
  await page.goto(`${BASE}/join/${second.token}`);
  await page.getByLabel('Your name').fill('Gus');
  await page.getByRole('button', { name: 'Ask to join' }).click();
  await page.locator('#guest[data-state="not_started"]').waitFor();
  await api('POST', `/api/meetings/${m.meetingId}/join`, hostToken);
  await page.locator('#guest[data-state="waiting"]').waitFor();

  log('the host declines over REST');
  const room = await api('GET', `/api/meetings/${m.meetingId}/waiting-room`, hostToken);
  const gus = room.guests.find((g) => g.displayName === 'Gus');
  check(gus, `Gus is in the lobby: ${JSON.stringify(room)}`);
  await api('POST', `/api/meetings/${m.meetingId}/guests/${gus.sessionId}/decline`, hostToken);
  await page.locator('#guest[data-state="declined"]').waitFor();
  await page.locator('#status', { hasText: 'declined' }).waitFor();
  await shot(page, 'd-guest-declined');
}

const SCENARIOS = [
  ['a', 'two users: Alice calls Bob, both his tabs ring, he accepts, Alice sees it answered; a second call he declines', callAnswered],
  ['b', 'a guest knocks through the link page and the host admits from the console', guestAdmitted],
  ['c', "presence turns online and offline in Alice's console as Bob's tab opens and closes", presenceFollowsTabs],
  ['d', 'the guest page explains unknown and replaced links, waits for the first participant, and shows a decline', guestTurnedAway],
  ['e', "a call nobody answers: the caller sees it unanswered, the callee's console lists a missed call", callMissed],
];

// Runner

const only = args.only ? new Set(args.only.split(',')) : null;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
console.log(`scenarios: Chromium ${browser.version()} against ${BASE}`);
let passed = 0;
let failed = 0;
try {
  for (const [key, title, run] of SCENARIOS) {
    if (only && !only.has(key)) continue;
    console.log(`(${key}) ${title}`);
    const errors = [];
    const started = Date.now();
    try {
      await run({ browser, errors });
      if (errors.length > 0) throw new Error(`errors in the pages:\n     ${errors.join('\n     ')}`);
      passed++;
      console.log(`ok (${key}) ${Date.now() - started} ms`);
    } catch (e) {
      failed++;
      console.log(`FAILED (${key}): ${e.stack ?? e}`);
      let n = 0;
      for (const context of browser.contexts()) {
        for (const page of context.pages()) {
          await page.screenshot({ path: join(SHOTS, `${key}-failure-${++n}.png`), fullPage: true }).catch(() => {});
        }
      }
    } finally {
      for (const context of browser.contexts()) await context.close().catch(() => {});
    }
  }
} finally {
  await browser.close();
}
console.log(`scenarios: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
