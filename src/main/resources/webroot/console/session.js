// Where the console keeps sign-ins: this tab's in sessionStorage (two tabs can be two users), and in
// dev mode the recent ones in localStorage, so another tab can continue as the same person.

const TAB_KEY = 'convene.console.session';
const RECENT_KEY = 'convene.console.recent';
const MAX_RECENT = 6;

/** The claims of a JWT, unverified (the server verifies); null when it is not a JWT. */
export function claims(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** `{token, userId, name, exp}` from a token; userId and name from its claims when it has them. */
export function describe(token, name) {
  const c = claims(token) ?? {};
  return { token, userId: c.sub ?? null, name: name ?? c.name ?? null, exp: typeof c.exp === 'number' ? c.exp : null };
}

export function expired(signIn, nowMs = Date.now()) {
  return signIn.exp !== null && signIn.exp * 1000 <= nowMs;
}

export function current() {
  try {
    const s = JSON.parse(sessionStorage.getItem(TAB_KEY));
    return s && typeof s.token === 'string' && !expired(s) ? s : null;
  } catch {
    return null;
  }
}

export function remember(signIn, { recent }) {
  sessionStorage.setItem(TAB_KEY, JSON.stringify(signIn));
  if (!recent || !signIn.userId) return;
  const list = recentSignIns().filter((s) => s.userId !== signIn.userId);
  list.unshift(signIn);
  localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, MAX_RECENT)));
}

export function forget() {
  sessionStorage.removeItem(TAB_KEY);
}

export function recentSignIns() {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY));
    return Array.isArray(list) ? list.filter((s) => s && typeof s.token === 'string' && !expired(s)) : [];
  } catch {
    return [];
  }
}

export function forgetRecent() {
  localStorage.removeItem(RECENT_KEY);
}

/** A random id for this tab's socket: each tab is a device of its own. */
export function tabDeviceId() {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return `console-${btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_')}`;
}
