// Test doubles: a WebSocket driven by the test, a manual clock, and a recording fetch.

/** A WebSocket whose server side the test plays. Every instance is recorded in `FakeWebSocket.all`. */
export class FakeWebSocket {
  static all = [];

  static reset() {
    FakeWebSocket.all = [];
  }

  static get last() {
    return FakeWebSocket.all[FakeWebSocket.all.length - 1];
  }

  constructor(url) {
    this.url = new URL(url);
    this.sent = [];
    this.closed = null;
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    FakeWebSocket.all.push(this);
  }

  send(text) {
    if (this.closed) throw new Error('socket closed');
    this.sent.push(JSON.parse(text));
  }

  close(code = 1000, reason = '') {
    if (!this.closed) this.closed = { code, reason, by: 'client' };
  }

  // The server's side

  open() {
    this.onopen?.({});
  }

  deliver(frame) {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  welcome(data = {}, extra = {}) {
    this.open();
    this.deliver({
      type: 'session:welcome',
      data: { connectionId: 'c_1', userId: 'alice', heartbeatSeconds: 60, serverTime: new Date(0).toISOString(), ...data },
      ...extra,
    });
  }

  serverClose(code, reason = '') {
    this.closed = { code, reason, by: 'server' };
    this.onclose?.({ code, reason });
  }

  /** Answers the last request of `type` with an ack. */
  ack(type, data = {}) {
    const req = this.lastRequest(type);
    this.deliver({ type: 'ack', id: req.id, ok: true, data });
    return req;
  }

  nack(type, code, message) {
    const req = this.lastRequest(type);
    this.deliver({ type: 'ack', id: req.id, ok: false, error: { code, message } });
    return req;
  }

  requests(type) {
    return this.sent.filter((f) => f.type === type);
  }

  lastRequest(type) {
    const all = this.requests(type);
    if (all.length === 0) throw new Error(`no ${type} request was sent; sent: ${JSON.stringify(this.sent)}`);
    return all[all.length - 1];
  }
}

/** A clock the test moves by hand; timers fire in due order. */
export class ManualTimers {
  #now = 0;
  #next = 1;
  #timers = new Map();

  setTimeout = (fn, ms) => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn, id });
    return id;
  };

  clearTimeout = (id) => {
    this.#timers.delete(id);
  };

  now = () => this.#now;

  /** Pending timers' delays from now, soonest first. */
  get pending() {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  advance(ms) {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.values()].filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#timers.delete(due.id);
      this.#now = due.at;
      due.fn();
    }
    this.#now = until;
  }
}

/** Lets promise callbacks and the client's async steps run. */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A fetch that records requests and answers from a queue of responses. */
export function recordingFetch(...answers) {
  const calls = [];
  const fetch = async (url, init = {}) => {
    calls.push({ url: String(url), method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body === undefined ? undefined : JSON.parse(init.body) });
    const next = answers.shift();
    if (!next) throw new Error('unexpected fetch');
    if (next instanceof Error) throw next;
    return new Response(next.body === undefined ? null : typeof next.body === 'string' ? next.body : JSON.stringify(next.body), {
      status: next.status ?? 200,
      headers: { 'Content-Type': next.contentType ?? 'application/json' },
    });
  };
  return { fetch, calls };
}
